//! Fonts for the watermark: a CJK font found on the device, then the bundled fallback, chosen
//! per character; and drawing a line of text with them.
//!
//! Device fonts are memory-mapped (through `fontdb`), so a 20 MB Noto CJK collection costs only
//! the pages of the glyphs drawn, not 20 MB of the phone's memory.

use std::collections::HashMap;
use std::fmt;
use std::path::PathBuf;
use std::sync::{Arc, OnceLock};

use ab_glyph::{Font, FontRef, GlyphId, PxScale, point};

use crate::error::MediaError;

/// WenQuanYi Micro Hei 0.2.0-beta (Apache-2.0, see `fonts/README.md`): Droid Sans Fallback's
/// CJK glyphs plus Latin, in 5 MB.
#[cfg(feature = "bundled-font")]
static BUNDLED_FONT: &[u8] = include_bytes!("../fonts/wqy-microhei.ttc");

/// Where phones and computers keep a font with Chinese glyphs, most preferred first. iOS keeps
/// PingFang in a private path: the app passes a font with [`FontSource::File`] there.
pub const DEVICE_FONT_PATHS: &[&str] = &[
    // Android 7 and later; then Android 5–6; then older Android
    "/system/fonts/NotoSansCJK-Regular.ttc",
    "/system/fonts/NotoSansSC-Regular.otf",
    "/system/fonts/DroidSansFallbackFull.ttf",
    "/system/fonts/DroidSansFallback.ttf",
    // Linux (Debian/Ubuntu, Arch, Fedora)
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/google-noto-cjk/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf",
    // macOS, Windows
    "/System/Library/Fonts/PingFang.ttc",
    "/System/Library/Fonts/STHeiti Medium.ttc",
    "C:\\Windows\\Fonts\\msyh.ttc",
    "C:\\Windows\\Fonts\\simhei.ttf",
];

/// Where a font comes from.
#[derive(Debug, Clone)]
pub enum FontSource {
    /// A `.ttf`, `.otf` or `.ttc` file; in a collection the Simplified Chinese face is chosen.
    File(PathBuf),
    /// Font data the app already holds (e.g. an asset).
    Bytes(Arc<Vec<u8>>),
    /// The font compiled into this crate.
    #[cfg(feature = "bundled-font")]
    Bundled,
}

/// Fonts tried in order for each character. Cheap to clone; load once and reuse.
#[derive(Clone)]
pub struct FontSet {
    inner: Arc<Loaded>,
}

struct Loaded {
    /// Holds file fonts by path; `with_face_data` maps them while a line is drawn.
    db: fontdb::Database,
    faces: Vec<(fontdb::ID, String)>,
}

impl fmt::Debug for FontSet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("FontSet").field(&self.names()).finish()
    }
}

impl FontSet {
    /// Loads every source, in order of preference.
    pub fn load(sources: &[FontSource]) -> Result<Self, MediaError> {
        let mut db = fontdb::Database::new();
        let mut faces = Vec::with_capacity(sources.len());
        for source in sources {
            faces.push(load_face(&mut db, source)?);
        }
        if faces.is_empty() {
            return Err(MediaError::NoFont);
        }
        let set = Self {
            inner: Arc::new(Loaded { db, faces }),
        };
        // Parse each face once now, so a broken font is named here and not at the first photo.
        for i in 0..set.inner.faces.len() {
            set.with_face(i, |_| ())?;
        }
        Ok(set)
    }

    /// The first font of [`DEVICE_FONT_PATHS`] that exists and has Chinese glyphs, then the
    /// bundled font for what it lacks (Droid Sans Fallback has no Latin letters, for example).
    pub fn device_default() -> Result<Self, MediaError> {
        let device = DEVICE_FONT_PATHS
            .iter()
            .map(PathBuf::from)
            .filter(|path| path.is_file())
            .find(|path| {
                FontSet::load(&[FontSource::File(path.clone())])
                    .and_then(|set| set.shape("中"))
                    .is_ok_and(|shaped| shaped.has('中'))
            });
        let mut sources: Vec<FontSource> = device.into_iter().map(FontSource::File).collect();
        #[cfg(feature = "bundled-font")]
        sources.push(FontSource::Bundled);
        Self::load(&sources)
    }

    /// Only the bundled font: the same pixels on every device.
    #[cfg(feature = "bundled-font")]
    pub fn bundled() -> Result<Self, MediaError> {
        Self::load(&[FontSource::Bundled])
    }

    /// The family name of each face, in order.
    pub fn names(&self) -> Vec<String> {
        self.inner
            .faces
            .iter()
            .map(|(_, name)| name.clone())
            .collect()
    }

    fn with_face<R>(
        &self,
        index: usize,
        f: impl FnOnce(&FontRef<'_>) -> R,
    ) -> Result<R, MediaError> {
        let (id, name) = &self.inner.faces[index];
        let fail = |detail: String| MediaError::Font {
            path: PathBuf::from(name),
            detail,
        };
        self.inner
            .db
            .with_face_data(*id, |data, face_index| {
                FontRef::try_from_slice_and_index(data, face_index)
                    .map(|font| f(&font))
                    .map_err(|err| fail(err.to_string()))
            })
            .unwrap_or_else(|| Err(fail("无法读取 / cannot be read".into())))
    }

    /// Finds, for every character of `text`, the first font that has it.
    pub(crate) fn shape(&self, text: &str) -> Result<Shaped, MediaError> {
        let mut pending: Vec<char> = text.chars().collect();
        pending.sort_unstable();
        pending.dedup();
        let mut shaped = Shaped::default();
        for index in 0..self.inner.faces.len() {
            pending = self.with_face(index, |font| {
                let per_px = 1.0 / font.height_unscaled();
                if index == 0 {
                    shaped.ascent = font.ascent_unscaled() * per_px;
                    shaped.descent = font.descent_unscaled() * per_px;
                    shaped.notdef_advance = font.h_advance_unscaled(GlyphId(0)) * per_px;
                }
                pending
                    .into_iter()
                    .filter(|&c| {
                        let glyph = font.glyph_id(c);
                        if glyph.0 == 0 {
                            return true;
                        }
                        let advance = font.h_advance_unscaled(glyph) * per_px;
                        shaped.glyphs.insert(c, (index, glyph, advance));
                        false
                    })
                    .collect()
            })?;
        }
        Ok(shaped)
    }

    /// Rasterises placed glyphs, calling `plot(x, y, coverage)` for every touched pixel.
    pub(crate) fn draw(
        &self,
        glyphs: &[PlacedGlyph],
        mut plot: impl FnMut(i64, i64, f32),
    ) -> Result<(), MediaError> {
        for index in 0..self.inner.faces.len() {
            if !glyphs.iter().any(|g| g.font == index) {
                continue;
            }
            self.with_face(index, |font| {
                for placed in glyphs.iter().filter(|g| g.font == index) {
                    let glyph = placed.glyph.with_scale_and_position(
                        PxScale::from(placed.px),
                        point(placed.x, placed.baseline),
                    );
                    if let Some(outlined) = font.outline_glyph(glyph) {
                        let bounds = outlined.px_bounds();
                        let (left, top) = (bounds.min.x as i64, bounds.min.y as i64);
                        outlined.draw(|gx, gy, coverage| {
                            plot(left + i64::from(gx), top + i64::from(gy), coverage)
                        });
                    }
                }
            })?;
        }
        Ok(())
    }
}

/// [`FontSet::device_default`], loaded once per process.
pub(crate) fn default_fonts() -> Result<FontSet, MediaError> {
    static DEFAULT: OnceLock<Option<FontSet>> = OnceLock::new();
    DEFAULT
        .get_or_init(|| FontSet::device_default().ok())
        .clone()
        .ok_or(MediaError::NoFont)
}

/// Adds the preferred face of `source` to `db`.
fn load_face(
    db: &mut fontdb::Database,
    source: &FontSource,
) -> Result<(fontdb::ID, String), MediaError> {
    let origin = match source {
        FontSource::File(path) => path.clone(),
        FontSource::Bytes(_) => PathBuf::from("<bytes>"),
        #[cfg(feature = "bundled-font")]
        FontSource::Bundled => PathBuf::from("<bundled>"),
    };
    let fail = |detail: String| MediaError::Font {
        path: origin.clone(),
        detail,
    };
    let ids = match source {
        FontSource::File(path) => {
            // fontdb skips unreadable files silently; ask first to say why.
            std::fs::File::open(path).map_err(|err| fail(err.to_string()))?;
            db.load_font_source(fontdb::Source::File(path.clone()))
        }
        FontSource::Bytes(bytes) => db.load_font_source(fontdb::Source::Binary(bytes.clone())),
        #[cfg(feature = "bundled-font")]
        FontSource::Bundled => db.load_font_source(fontdb::Source::Binary(Arc::new(BUNDLED_FONT))),
    };
    ids.iter()
        .enumerate()
        .filter_map(|(position, id)| db.face(*id).map(|face| (position, face)))
        .max_by_key(|(position, face)| (preference(face), std::cmp::Reverse(*position)))
        .map(|(_, face)| {
            let name = face.families.first().map(|(name, _)| name.clone());
            (
                face.id,
                name.unwrap_or_else(|| origin.display().to_string()),
            )
        })
        .ok_or_else(|| fail("不是可用的字体文件 / not a usable font file".into()))
}

/// Prefers the Simplified Chinese, proportional face of a collection (Noto Sans CJK has ten).
fn preference(face: &fontdb::FaceInfo) -> i32 {
    let names = || face.families.iter().map(|(name, _)| name.as_str());
    let simplified = names().any(|n| n.ends_with(" SC") || n.contains("GB") || n.contains('简'));
    let mono = names().any(|n| n.contains("Mono") || n.contains("等寬") || n.contains("等宽"));
    2 * i32::from(simplified) - i32::from(mono)
}

/// Which font draws each character, with sizes per pixel of font size.
#[derive(Debug, Default)]
pub(crate) struct Shaped {
    glyphs: HashMap<char, (usize, GlyphId, f32)>,
    ascent: f32,
    descent: f32,
    notdef_advance: f32,
}

/// A glyph at its place on the picture.
#[derive(Debug, Clone, Copy)]
pub(crate) struct PlacedGlyph {
    font: usize,
    glyph: GlyphId,
    x: f32,
    baseline: f32,
    px: f32,
}

impl Shaped {
    pub(crate) fn has(&self, c: char) -> bool {
        self.glyphs.contains_key(&c)
    }

    /// Ascent and descent (negative) of the first font at `px`.
    pub(crate) fn metrics(&self, px: f32) -> (f32, f32) {
        (self.ascent * px, self.descent * px)
    }

    pub(crate) fn width(&self, text: &str, px: f32) -> f32 {
        text.chars()
            .map(|c| self.glyphs.get(&c).map_or(self.notdef_advance, |g| g.2) * px)
            .sum()
    }

    /// Places `text` from (`x`, `baseline`); a character no font has gets the first font's
    /// missing-glyph box and is added to `missing`.
    pub(crate) fn place(
        &self,
        text: &str,
        x: f32,
        baseline: f32,
        px: f32,
        out: &mut Vec<PlacedGlyph>,
        missing: &mut Vec<char>,
    ) {
        let mut pen = x;
        for c in text.chars() {
            let (font, glyph, advance) = self.glyphs.get(&c).copied().unwrap_or_else(|| {
                if !missing.contains(&c) {
                    missing.push(c);
                }
                (0, GlyphId(0), self.notdef_advance)
            });
            out.push(PlacedGlyph {
                font,
                glyph,
                x: pen,
                baseline,
                px,
            });
            pen += advance * px;
        }
    }
}

#[cfg(all(test, feature = "bundled-font"))]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    /// The coverage mask of `text` drawn at 48 px on a 200×64 canvas, and what was missing.
    fn mask(fonts: &FontSet, text: &str) -> (Vec<u8>, Vec<char>) {
        let (w, h) = (200i64, 64i64);
        let shaped = fonts.shape(text).unwrap();
        let (mut placed, mut missing) = (Vec::new(), Vec::new());
        shaped.place(text, 4.0, 50.0, 48.0, &mut placed, &mut missing);
        let mut canvas = vec![0u8; (w * h) as usize];
        fonts
            .draw(&placed, |x, y, c| {
                if (0..w).contains(&x) && (0..h).contains(&y) {
                    canvas[(y * w + x) as usize] = (c * 255.0).round() as u8;
                }
            })
            .unwrap();
        (canvas, missing)
    }

    fn ink(mask: &[u8]) -> usize {
        mask.iter().filter(|&&c| c > 127).count()
    }

    #[test]
    fn chinese_name_is_drawn_with_real_glyphs() {
        let fonts = FontSet::bundled().unwrap();
        // The missing-glyph box, drawn the way a character no font has is drawn.
        let (notdef, missing) = mask(&fonts, "\u{E000}");
        assert_eq!(missing, vec!['\u{E000}']);
        assert!(
            ink(&notdef) > 0,
            "the box must be visible for the comparison to mean anything"
        );

        let shaped = fonts.shape("郑怀圣").unwrap();
        let mut masks = Vec::new();
        for c in "郑怀圣".chars() {
            let glyph = shaped.glyphs.get(&c).map(|g| g.1.0);
            assert!(glyph.is_some_and(|id| id != 0), "{c} has no glyph");
            let (m, missing) = mask(&fonts, &c.to_string());
            assert!(missing.is_empty(), "{c} reported missing");
            assert_ne!(m, notdef, "{c} was drawn as the missing-glyph box");
            // A Han character at 48 px inks far more than a thin box outline.
            assert!(
                ink(&m) > 2 * ink(&notdef),
                "{c}: {} inked pixels, box {}",
                ink(&m),
                ink(&notdef)
            );
            masks.push(m);
        }
        assert_ne!(masks[0], masks[1]);
        assert_ne!(masks[1], masks[2]);
        assert_ne!(masks[0], masks[2]);
    }

    #[test]
    fn latin_digits_and_punctuation_are_covered() {
        let fonts = FontSet::bundled().unwrap();
        let (_, missing) = mask(&fonts, "2017-09-05 14:32:07 31.75°N E：（）·　…");
        assert!(missing.is_empty(), "{missing:?}");
        let shaped = fonts.shape("户主").unwrap();
        assert!(shaped.width("户主", 40.0) > shaped.width("户", 40.0));
        assert!((shaped.width("户", 80.0) - 2.0 * shaped.width("户", 40.0)).abs() < 1e-3);
    }

    #[test]
    fn the_proportional_face_of_a_collection_is_chosen() {
        let fonts = FontSet::bundled().unwrap();
        // WenQuanYi's collection has a proportional and a monospaced face.
        assert_eq!(fonts.names().len(), 1);
        assert!(!fonts.names()[0].contains("等寬"), "{:?}", fonts.names());
    }

    #[test]
    fn a_bad_font_is_named() {
        let err = FontSet::load(&[FontSource::File("/nonexistent/font.ttc".into())]).unwrap_err();
        assert!(err.to_string().contains("/nonexistent/font.ttc"), "{err}");
        let err =
            FontSet::load(&[FontSource::Bytes(Arc::new(b"not a font".to_vec()))]).unwrap_err();
        assert!(err.to_string().contains("not a usable font"), "{err}");
    }

    #[test]
    fn device_default_falls_back_per_character() {
        let fonts = FontSet::device_default().unwrap();
        assert_eq!(
            fonts.names().last().map(String::as_str),
            FontSet::bundled()
                .unwrap()
                .names()
                .first()
                .map(String::as_str)
        );
        let shaped = fonts.shape("郑7A").unwrap();
        assert!(shaped.has('郑') && shaped.has('7') && shaped.has('A'));
    }
}
