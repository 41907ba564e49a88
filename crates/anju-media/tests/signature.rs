//! Signatures: strokes to a smooth, even PNG; records bound to the form content they sign.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use anju_core::form::{Answer, FormAnswers};
use anju_core::hash::sha256_hex;
use anju_media::{
    MediaError, Signature, SignatureRecord, SignatureStyle, Stroke, StrokePoint,
    render_signature_png, signature_matches,
};
use tiny_skia::Pixmap;

fn stroke(points: &[(f32, f32)], t0: u32) -> Stroke {
    Stroke {
        points: points
            .iter()
            .enumerate()
            .map(|(i, &(x, y))| StrokePoint {
                x,
                y,
                t_ms: t0 + 16 * i as u32,
                pressure: 0.5,
            })
            .collect(),
    }
}

fn pad(strokes: Vec<Stroke>) -> Signature {
    Signature {
        width: 300.0,
        height: 150.0,
        strokes,
    }
}

/// Alpha of the pixel at (x, y).
fn alpha(pixmap: &Pixmap, x: u32, y: u32) -> u8 {
    pixmap.pixel(x, y).map_or(0, |p| p.alpha())
}

fn render(signature: &Signature, style: &SignatureStyle) -> Pixmap {
    Pixmap::decode_png(&render_signature_png(signature, style).unwrap()).unwrap()
}

#[test]
fn image_is_scaled_transparent_and_antialiased() {
    let sig = pad(vec![stroke(
        &[(20.0, 30.0), (150.0, 100.0), (280.0, 40.0)],
        0,
    )]);
    let pixmap = render(&sig, &SignatureStyle::default());
    assert_eq!((pixmap.width(), pixmap.height()), (600, 300));
    assert_eq!(alpha(&pixmap, 0, 0), 0, "background is transparent");
    let alphas: Vec<u8> = pixmap.pixels().iter().map(|p| p.alpha()).collect();
    assert!(alphas.contains(&255), "solid ink");
    assert!(
        alphas.iter().filter(|&&a| a > 0 && a < 255).count() > 100,
        "smooth edges"
    );

    let on_white = render(
        &sig,
        &SignatureStyle {
            background: Some([255, 255, 255]),
            ..SignatureStyle::default()
        },
    );
    assert!(on_white.pixels().iter().all(|p| p.alpha() == 255));
}

#[test]
fn weight_is_even_whatever_the_pressure() {
    // A horizontal and a vertical line, pen 3 units at scale 2: 6 px thick everywhere.
    let mut sig = pad(vec![
        stroke(
            &[(20.0, 50.0), (90.0, 50.0), (160.0, 50.0), (280.0, 50.0)],
            0,
        ),
        stroke(&[(200.0, 70.0), (200.0, 110.0), (200.0, 140.0)], 400),
    ]);
    let style = SignatureStyle::default();
    let pixmap = render(&sig, &style);
    let thickness_down = |x: u32| {
        (0..pixmap.height())
            .filter(|&y| alpha(&pixmap, x, y) > 127)
            .count()
    };
    let thickness_across = |y: u32| {
        (0..pixmap.width())
            .filter(|&x| alpha(&pixmap, x, y) > 127)
            .count()
    };
    for x in [80, 200, 300, 500] {
        assert_eq!(thickness_down(x), 6, "at x={x}");
    }
    for y in [160, 200, 260] {
        assert_eq!(thickness_across(y), 6, "at y={y}");
    }

    // Pressure is kept in the record but does not change the drawing.
    let png = render_signature_png(&sig, &style).unwrap();
    for (i, point) in sig.strokes[0].points.iter_mut().enumerate() {
        point.pressure = [0.05, 1.0, 0.3, 0.9][i];
    }
    assert_eq!(render_signature_png(&sig, &style).unwrap(), png);
}

#[test]
fn sparse_samples_make_a_curve_not_a_polyline() {
    // A sharp V: a polyline would put ink on the apex sample; the smoothed stroke rounds the
    // corner and passes between the apex and the middle of its legs.
    let sig = pad(vec![stroke(
        &[(40.0, 20.0), (150.0, 130.0), (260.0, 20.0)],
        0,
    )]);
    let pixmap = render(&sig, &SignatureStyle::default());
    assert_eq!(alpha(&pixmap, 300, 260), 0, "the apex is cut");
    // The quadratic through the leg midpoints (95,75) and (205,75) with control (150,130)
    // reaches its lowest point at y = (75 + 2·130 + 75)/4 = 102.5.
    assert!(
        alpha(&pixmap, 300, 205) > 127,
        "the curve's lowest point is inked"
    );
    assert!(
        alpha(&pixmap, 190, 150) > 127,
        "the middle of a leg is inked"
    );
}

#[test]
fn a_tap_is_a_dot() {
    let sig = pad(vec![stroke(&[(100.0, 60.0)], 0)]);
    let pixmap = render(&sig, &SignatureStyle::default());
    assert!(alpha(&pixmap, 200, 120) > 200);
    let inked = pixmap.pixels().iter().filter(|p| p.alpha() > 127).count();
    // A disc of diameter 6 px: about 28 px.
    assert!((20..=40).contains(&inked), "{inked}");
}

#[test]
fn record_binds_strokes_image_and_form_content() {
    let mut form = FormAnswers::default();
    form.set(
        "household_opinion",
        Answer::Text {
            value: "满意".into(),
        },
    );
    let content = form.signable_sha256().unwrap();
    let sig = pad(vec![stroke(
        &[(20.0, 30.0), (60.0, 90.0), (120.0, 40.0)],
        0,
    )]);
    let (record, png) =
        SignatureRecord::sign(sig.clone(), &content, &SignatureStyle::default()).unwrap();

    assert_eq!(record.png_sha256, sha256_hex(&png));
    assert!(record.png_matches(&png));
    assert!(!record.png_matches(&png[1..]));
    // The same strokes always give the same image.
    assert_eq!(
        render_signature_png(&sig, &SignatureStyle::default()).unwrap(),
        png
    );

    assert!(signature_matches(&content, &record));
    assert!(record.matches_form(&form).unwrap());
    // A changed answer makes the signature stale...
    form.set(
        "household_opinion",
        Answer::Text {
            value: "不满意".into(),
        },
    );
    assert!(!record.matches_form(&form).unwrap());
    assert!(!signature_matches(
        &form.signable_sha256().unwrap(),
        &record
    ));

    // ...and the record survives JSON unchanged: the strokes are the record.
    let json = serde_json::to_string(&record).unwrap();
    let back: SignatureRecord = serde_json::from_str(&json).unwrap();
    assert_eq!(back, record);
}

#[test]
fn bad_signatures_are_refused_with_the_place() {
    let style = SignatureStyle::default();
    let expect = |sig: Signature, words: &[&str]| {
        let err = render_signature_png(&sig, &style).unwrap_err();
        assert!(
            matches!(err, MediaError::InvalidSignature { .. }),
            "{err:?}"
        );
        let text = err.to_string();
        for word in words {
            assert!(text.contains(word), "{text} lacks {word}");
        }
    };
    expect(pad(vec![]), &["empty"]);
    expect(
        pad(vec![stroke(&[(1.0, 1.0)], 0), Stroke { points: vec![] }]),
        &["stroke 2 has no points"],
    );
    let mut nan = stroke(&[(1.0, 2.0), (3.0, 4.0)], 0);
    nan.points[1].y = f32::NAN;
    expect(
        pad(vec![stroke(&[(1.0, 1.0)], 0), nan]),
        &["stroke 2 point 2", "not numbers"],
    );
    let mut pressed = stroke(&[(1.0, 2.0)], 0);
    pressed.points[0].pressure = 1.5;
    expect(pad(vec![pressed]), &["pressure"]);
    expect(
        pad(vec![stroke(&[(1.0, 1.0)], 500), stroke(&[(2.0, 2.0)], 100)]),
        &["stroke 2 point 1", "backwards"],
    );
    expect(
        Signature {
            width: 0.0,
            ..pad(vec![stroke(&[(1.0, 1.0)], 0)])
        },
        &["width"],
    );
    let many: Vec<(f32, f32)> = (0..20_001).map(|i| ((i % 300) as f32, 10.0)).collect();
    expect(pad(vec![stroke(&many, 0)]), &["too many points"]);

    let err =
        SignatureRecord::sign(pad(vec![stroke(&[(1.0, 1.0)], 0)]), "abc", &style).unwrap_err();
    assert!(err.to_string().contains("SHA-256"), "{err}");
    let huge = SignatureStyle {
        scale: 50.0,
        ..SignatureStyle::default()
    };
    assert!(render_signature_png(&pad(vec![stroke(&[(1.0, 1.0)], 0)]), &huge).is_err());
}
