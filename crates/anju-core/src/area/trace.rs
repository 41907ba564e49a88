//! The trace: the assessment in lines a person can check on paper, in Chinese or English.

use super::{Area, AssessedPart, STANDARD, TraceLanguage, Verdict, format_hundredths};
use crate::policy::AppliedCap;

/// What the trace is written from.
pub(super) struct Trace<'a> {
    pub lang: TraceLanguage,
    pub parts: &'a [AssessedPart<'a>],
    pub built_area: Area,
    pub household_size: u32,
    pub per_person_m2: &'a str,
    pub cap: &'a AppliedCap,
    pub verdict: Verdict,
}

impl Trace<'_> {
    fn zh(&self) -> bool {
        self.lang == TraceLanguage::Zh
    }

    pub(super) fn lines(&self) -> Vec<String> {
        let mut lines: Vec<String> = self.parts.iter().map(|p| self.part_line(p)).collect();
        lines.push(self.sum_line());
        if let Some(note) = self.rounding_note() {
            lines.push(note);
        }
        lines.push(self.per_person_line());
        lines.push(self.cap_line());
        lines.push(self.verdict_line());
        lines
    }

    fn part_line(&self, part: &AssessedPart<'_>) -> String {
        let figures = &part.figures;
        let zh = self.zh();
        let storey = match (zh, figures.storey) {
            (true, s) if s >= 1 => format!("第{s}层"),
            (true, s) => format!("第{s}层，地下"),
            (false, s) if s >= 1 => format!("storey {s}"),
            (false, s) => format!("storey {s}, below ground"),
        };
        let mut segments = vec![part.input.shape.describe(figures.gross, self.lang, true)];
        if !part.void_areas.is_empty() {
            let voids = part
                .input
                .voids
                .iter()
                .zip(&part.void_areas)
                .map(|(shape, area)| shape.describe(*area, self.lang, false))
                .collect::<Vec<_>>();
            let total = figures.voids.to_m2_string();
            segments.push(match (zh, voids.len()) {
                (true, 1) => format!("扣除 {}", voids.join("")),
                (true, _) => format!("扣除 {}，共 {total} m²", voids.join("，")),
                (false, 1) => format!("minus {}", voids.join("")),
                (false, _) => format!("minus {}, in all {total} m²", voids.join(", ")),
            });
            let net = figures.net.to_m2_string();
            segments.push(if zh {
                format!("净面积 {net} m²")
            } else {
                format!("net {net} m²")
            });
        }
        let rule = &figures.rule;
        let counted = figures.counted.to_m2_string();
        let symbol = figures.coefficient.symbol();
        segments.push(if zh {
            format!(
                "{} ×{symbol} = {counted} m²（{STANDARD} 第{}条）",
                rule.explanation_zh, rule.clause
            )
        } else {
            format!(
                "{} ×{symbol} = {counted} m² ({STANDARD} cl. {})",
                rule.explanation_en, rule.clause
            )
        });
        let label = &figures.label;
        let number = figures.number;
        if zh {
            format!("{number}. {label}（{storey}）：{}", segments.join("；"))
        } else {
            format!("{number}. {label} ({storey}): {}", segments.join("; "))
        }
    }

    fn sum_line(&self) -> String {
        let total = self.built_area.to_m2_string();
        let addends = self
            .parts
            .iter()
            .map(|p| p.figures.counted.to_m2_string())
            .collect::<Vec<_>>();
        let name = if self.zh() {
            "建筑面积"
        } else {
            "built area"
        };
        if addends.len() == 1 {
            format!("{name} = {total} m²")
        } else {
            format!("{name} = {} = {total} m²", addends.join(" + "))
        }
    }

    /// Said only when the shown parts do not add up to the shown total.
    fn rounding_note(&self) -> Option<String> {
        let shown_sum: i128 = self
            .parts
            .iter()
            .map(|p| p.figures.counted.to_m2_hundredths_rounded())
            .sum();
        let difference = self.built_area.to_m2_hundredths_rounded() - shown_sum;
        if difference == 0 {
            return None;
        }
        let difference = format_hundredths(difference.abs());
        Some(if self.zh() {
            format!(
                "注：各部分面积四舍五入到0.01 m²显示，建筑面积由精确值相加后只取整一次，故与上列显示值之和相差 {difference} m²"
            )
        } else {
            format!(
                "note: each part is shown rounded half-up to 0.01 m²; the built area is the exact sum rounded once, so it differs from the sum of the shown parts by {difference} m²"
            )
        })
    }

    fn people(&self) -> String {
        match (self.zh(), self.household_size) {
            (true, n) => format!("{n}人"),
            (false, 1) => "1 person".to_string(),
            (false, n) => format!("{n} people"),
        }
    }

    fn per_person_line(&self) -> String {
        let built = self.built_area.to_m2_string();
        let people = self.people();
        let per_person = self.per_person_m2;
        if self.zh() {
            format!("人均 = {built} m² ÷ {people} = {per_person} m²/人")
        } else {
            format!("per person = {built} m² ÷ {people} = {per_person} m²/person")
        }
    }

    fn cap_line(&self) -> String {
        let name = &self.cap.rule_name;
        let total = self.cap.total.to_m2_string();
        let people = self.people();
        match (self.zh(), self.cap.per_person) {
            (true, Some(each)) => format!(
                "上限（{name}）= {} m²/人 × {people} = {total} m²",
                each.to_m2_exact_string()
            ),
            (true, None) => format!("上限（{name}）= 全户 {total} m²"),
            (false, Some(each)) => format!(
                "cap ({name}) = {} m²/person × {people} = {total} m²",
                each.to_m2_exact_string()
            ),
            (false, None) => format!("cap ({name}) = {total} m² for the household"),
        }
    }

    fn verdict_line(&self) -> String {
        // A difference too small to show at 0.01 m² is shown exactly, so that "over by
        // 0.00" never appears.
        let amount = |area: Area| {
            if area.to_m2_hundredths_rounded() == 0 && !area.is_zero() {
                if self.zh() {
                    format!("{} m²（精确值，不足0.01 m²）", area.to_m2_exact_string())
                } else {
                    format!(
                        "{} m² (exact; less than 0.01 m²)",
                        area.to_m2_exact_string()
                    )
                }
            } else {
                format!("{} m²", area.to_m2_string())
            }
        };
        match (self.zh(), self.verdict) {
            (true, Verdict::Over { by }) => format!("结论：超标 {}", amount(by)),
            (true, Verdict::Within { margin }) => format!("结论：未超标，余 {}", amount(margin)),
            (false, Verdict::Over { by }) => {
                format!("verdict: over the limit by {}", amount(by))
            }
            (false, Verdict::Within { margin }) => {
                format!("verdict: within the limit, {} to spare", amount(margin))
            }
        }
    }
}
