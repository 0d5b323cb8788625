//! Every word the maps and charts print, in English and Chinese.

use crate::config::{Threshold, ThresholdUnit};
use crate::levels::Level;
use crate::report::fmt_num;

use super::Lang;

/// The wording of one figure: language, threshold unit, and whether counts are residents or
/// (unweighted) blocks.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Words {
    pub lang: Lang,
    pub unit: ThresholdUnit,
    pub weighted: bool,
}

/// Station levels as the maps draw them, most important first: the four levels, then `None`
/// for a station whose level is missing or unknown ("other").
pub(crate) const DRAWN_LEVELS: [Option<Level>; 5] = [
    Some(Level::Center),
    Some(Level::Subcenter),
    Some(Level::Station),
    Some(Level::Point),
    None,
];

/// A station's level as drawn: its `level` property read by [`Level::parse`].
pub(crate) fn drawn_level(level: Option<&str>) -> Option<Level> {
    level.and_then(Level::parse)
}

/// The drawing order of a level: 0 for the centre, 4 for "other".
pub(crate) fn drawn_rank(level: Option<Level>) -> usize {
    level.map_or(4, Level::rank)
}

/// Chinese numerals for whole numbers 0–99 (`5` → 五, `15` → 十五, `30` → 三十).
fn chinese_number(n: u32) -> Option<String> {
    const D: [&str; 10] = ["零", "一", "二", "三", "四", "五", "六", "七", "八", "九"];
    match n {
        0..=9 => Some(D[n as usize].to_owned()),
        10..=19 => Some(format!(
            "十{}",
            if n == 10 { "" } else { D[(n - 10) as usize] }
        )),
        20..=99 => Some(format!(
            "{}十{}",
            D[(n / 10) as usize],
            if n.is_multiple_of(10) {
                ""
            } else {
                D[(n % 10) as usize]
            }
        )),
        _ => None,
    }
}

/// A share as a percentage with one decimal: `0.6804` → `68.0 %` (`68.0%` in Chinese).
pub(crate) fn percent(share: f64, lang: Lang) -> String {
    match lang {
        Lang::En => format!("{} %", fmt_num(share * 100.0, 1)),
        Lang::Zh => format!("{}%", fmt_num(share * 100.0, 1)),
    }
}

impl Words {
    fn zh(&self) -> bool {
        self.lang == Lang::Zh
    }

    /// A threshold's value with its unit: `5 min`, `300 m` (`5 分钟`, `300 米`).
    pub fn threshold(&self, t: &Threshold) -> String {
        let v = self.threshold_value(t);
        match (self.unit, self.zh()) {
            (ThresholdUnit::Minutes, false) => format!("{v} min"),
            (ThresholdUnit::Minutes, true) => format!("{v} 分钟"),
            (ThresholdUnit::Metres, false) => format!("{v} m"),
            (ThresholdUnit::Metres, true) => format!("{v} 米"),
        }
    }

    /// A threshold's bare number in its unit.
    fn threshold_value(&self, t: &Threshold) -> String {
        match self.unit {
            ThresholdUnit::Minutes => format!("{}", t.minutes),
            ThresholdUnit::Metres => format!("{}", t.distance_m),
        }
    }

    /// Metres, for parameters: `300 m` / `300 米`.
    pub fn metres(&self, m: f64) -> String {
        let v = fmt_num(m, if m.fract() == 0.0 { 0 } else { 1 });
        if self.zh() {
            format!("{v} 米")
        } else {
            format!("{v} m")
        }
    }

    /// The title's name of a threshold: `5-minute` / `五分钟`, `300 m` / `300米`.
    /// The legend entry of service-area band `k` of `thresholds`.
    pub fn service_band(&self, thresholds: &[Threshold], k: usize) -> String {
        let to = self.adjective(&thresholds[k]);
        match (k, self.zh()) {
            (0, false) => format!("{to} service area"),
            (0, true) => format!("{to}服务范围"),
            (_, false) => format!(
                "{to} service area, beyond {}",
                self.adjective(&thresholds[k - 1])
            ),
            (_, true) => format!("{to}服务范围（{}以外）", self.adjective(&thresholds[k - 1])),
        }
    }

    /// The legend entry of blocks partly covered at threshold `t` (area mode).
    pub fn partly_covered(&self, t: &Threshold) -> String {
        if self.zh() {
            format!("部分在{}范围内（越深，范围外面积越大）", self.adjective(t))
        } else {
            format!(
                "partly in the {} reach (darker: more area outside)",
                self.adjective(t)
            )
        }
    }

    fn adjective(&self, t: &Threshold) -> String {
        match (self.unit, self.zh()) {
            (ThresholdUnit::Minutes, false) => format!("{}-minute", t.minutes),
            (ThresholdUnit::Minutes, true) => {
                let whole =
                    (t.minutes.fract() == 0.0 && t.minutes >= 0.0).then_some(t.minutes as u32);
                match whole.and_then(chinese_number) {
                    Some(n) => format!("{n}分钟"),
                    None => format!("{}分钟", t.minutes),
                }
            }
            (ThresholdUnit::Metres, false) => format!("{} m", t.distance_m),
            (ThresholdUnit::Metres, true) => format!("{}米", t.distance_m),
        }
    }

    /// `5-minute walking coverage` / `五分钟步行覆盖率`.
    pub fn coverage_name(&self, t: &Threshold) -> String {
        if self.zh() {
            format!("{}步行覆盖率", self.adjective(t))
        } else {
            format!("{} walking coverage", self.adjective(t))
        }
    }

    /// The map title: the first threshold's coverage share.
    pub fn map_title(&self, t: &Threshold, share: f64) -> String {
        let name = self.coverage_name(t);
        match (self.zh(), self.weighted) {
            (false, true) => format!("{name}: {} of residents", percent(share, self.lang)),
            (false, false) => format!("{name}: {} of blocks", percent(share, self.lang)),
            (true, true) => format!("{name}：{}（按居民人口）", percent(share, self.lang)),
            (true, false) => format!("{name}：{}（按地块计）", percent(share, self.lang)),
        }
    }

    /// How distance was measured: `straight line × detour 1.2` / `along the walking network …`.
    pub fn mode(&self, network: bool, detour: f64, max_snap_m: f64) -> String {
        match (network, self.zh()) {
            (false, false) => format!("straight line × detour {detour}"),
            (false, true) => format!("直线距离 × 绕行系数 {detour}"),
            (true, false) => format!(
                "along the walking network (max snap {})",
                self.metres(max_snap_m)
            ),
            (true, true) => format!("沿步行路网（最大接入距离 {}）", self.metres(max_snap_m)),
        }
    }

    /// Area mode's note beside the distance mode: residents counted by the share of their
    /// block's area within reach.
    pub fn area_measure(&self) -> &'static str {
        if self.zh() {
            "按地块在范围内的面积占比计人口"
        } else {
            "residents by share of block area within reach"
        }
    }

    /// Area mode's method, for the report: what a block counts, disks of `sides` sides.
    pub fn area_method(&self, sides: usize) -> String {
        if self.zh() {
            format!(
                "每个地块的居民数乘以其面积落在站点入口周围半径 D/绕行系数 范围内的占比                 （居民视为在地块内均匀分布；圆以正 {sides} 边形近似）；最近站点与步行时间仍按地块中心计"
            )
        } else {
            format!(
                "each block counts its residents times the share of its area within D/detour of                  a station entrance (residents taken as spread evenly; circles drawn as                  {sides}-sided polygons); the nearest station and walking time stay those of the                  block's centre"
            )
        }
    }

    /// `60 m/min` / `步速 60 米/分钟`.
    pub fn speed(&self, speed: f64) -> String {
        if self.zh() {
            format!("步速 {speed} 米/分钟")
        } else {
            format!("{speed} m/min")
        }
    }

    /// `12 stations` / `12 个站点`.
    pub fn stations(&self, n: usize) -> String {
        let v = fmt_num(n as f64, 0);
        if self.zh() {
            format!("{v} 个站点")
        } else if n == 1 {
            format!("{v} station")
        } else {
            format!("{v} stations")
        }
    }

    /// `134 blocks` / `134 个地块`.
    pub fn blocks(&self, n: usize) -> String {
        let v = fmt_num(n as f64, 0);
        if self.zh() {
            format!("{v} 个地块")
        } else if n == 1 {
            format!("{v} block")
        } else {
            format!("{v} blocks")
        }
    }

    /// A population: `10,645 residents` / `10,645 人`; blocks when unweighted.
    pub fn population(&self, p: f64) -> String {
        if !self.weighted {
            return self.blocks(p.round().max(0.0) as usize);
        }
        let v = fmt_num(p, 0);
        if self.zh() {
            format!("{v} 人")
        } else {
            format!("{v} residents")
        }
    }

    /// The note for unweighted results.
    pub fn unweighted(&self) -> &'static str {
        if self.zh() {
            "无人口字段：每个地块计 1"
        } else {
            "no population field: every block counts 1"
        }
    }

    /// A share at one threshold for the subtitle: `10 min: 85.2 %`.
    pub fn share_at(&self, t: &Threshold, share: f64) -> String {
        if self.zh() {
            format!("{}：{}", self.threshold(t), percent(share, self.lang))
        } else {
            format!("{}: {}", self.threshold(t), percent(share, self.lang))
        }
    }

    /// The legend heading of the walking-time classes.
    pub fn legend_heading(&self) -> &'static str {
        match (self.unit, self.zh()) {
            (ThresholdUnit::Minutes, false) => "Walk to the nearest station",
            (ThresholdUnit::Minutes, true) => "到最近站点的步行时间",
            (ThresholdUnit::Metres, false) => "Walk to the nearest station",
            (ThresholdUnit::Metres, true) => "到最近站点的步行距离",
        }
    }

    /// The label of the class within the first threshold.
    pub fn class_first(&self, t: &Threshold) -> String {
        match self.unit {
            ThresholdUnit::Minutes => {
                format!("≤ {} ({})", self.threshold(t), self.metres(t.distance_m))
                    .replace(" (", if self.zh() { "（" } else { " (" })
                    .replace(')', if self.zh() { "）" } else { ")" })
            }
            ThresholdUnit::Metres => format!("≤ {}", self.threshold(t)),
        }
    }

    /// The label of the band between two thresholds: beyond the first threshold, so a shade of
    /// the gap.
    pub fn class_band(&self, a: &Threshold, b: &Threshold) -> String {
        if self.zh() {
            format!("{}–{}（缺口）", self.threshold_value(a), self.threshold(b))
        } else {
            format!("{}–{} (gap)", self.threshold_value(a), self.threshold(b))
        }
    }

    /// The label of the darkest gap class, beyond the last threshold.
    pub fn class_gap(&self, t: &Threshold) -> String {
        if self.zh() {
            format!("> {}（缺口）", self.threshold(t))
        } else {
            format!("> {} (gap)", self.threshold(t))
        }
    }

    /// The label of off-network blocks.
    pub fn class_off_network(&self, max_snap_m: f64) -> String {
        if self.zh() {
            format!("未接入路网（> {}）", self.metres(max_snap_m))
        } else {
            format!("off the network (> {} away)", self.metres(max_snap_m))
        }
    }

    /// The legend heading of station symbols.
    pub fn stations_heading(&self) -> &'static str {
        if self.zh() {
            "服务站点"
        } else {
            "Service stations"
        }
    }

    /// A station level's legend label.
    pub fn level(&self, level: Option<Level>) -> &'static str {
        match (level, self.zh()) {
            (Some(Level::Center), false) => "centre",
            (Some(Level::Subcenter), false) => "sub-centre",
            (Some(Level::Station), false) => "station",
            (Some(Level::Point), false) => "service point",
            (None, false) => "other",
            (Some(Level::Center), true) => "中心",
            (Some(Level::Subcenter), true) => "分中心",
            (Some(Level::Station), true) => "站",
            (Some(Level::Point), true) => "服务点",
            (None, true) => "其他",
        }
    }

    /// The level map's title: the share served at every level.
    pub fn levels_title(&self, share: f64) -> String {
        if self.zh() {
            format!("服务圈完整覆盖率：{}", percent(share, self.lang))
        } else {
            format!(
                "Complete service circle: {} reach every level",
                percent(share, self.lang)
            )
        }
    }

    /// The standard line of the level map: its name and each level's reach.
    pub fn standard_line(&self, name: &str, reaches: &[(Level, f64)]) -> String {
        let parts: Vec<String> = reaches
            .iter()
            .map(|&(l, r)| format!("{} ≤ {}", self.level(Some(l)), self.metres(r)))
            .collect();
        if self.zh() {
            format!(
                "标准 {name}（将新时代文明实践层级对应到 GB 50180-2018 生活圈为规划惯例）：{}",
                parts.join(" · ")
            )
        } else {
            format!(
                "standard {name} (mapping 文明实践 levels onto GB 50180-2018's circles is a planning convention): {}",
                parts.join(" · ")
            )
        }
    }

    /// The share served at one level: `station 61.9 %` / `站 61.9%`.
    pub fn served_at(&self, level: Level, share: f64) -> String {
        format!("{} {}", self.level(Some(level)), percent(share, self.lang))
    }

    /// The heading of the group chart's level table.
    pub fn levels_served_heading(&self) -> &'static str {
        if self.zh() {
            "各层级覆盖率"
        } else {
            "Share served at each level"
        }
    }

    /// The group chart's column of blocks served at every level.
    pub fn complete_column(&self) -> &'static str {
        if self.zh() {
            "完整"
        } else {
            "complete"
        }
    }

    /// The level map's legend heading.
    pub fn levels_heading(&self) -> &'static str {
        if self.zh() {
            "服务圈层级"
        } else {
            "Levels within reach"
        }
    }

    /// The level map's classes: complete, missing one level, missing several.
    pub fn level_class(&self, class: usize) -> &'static str {
        match (class, self.zh()) {
            (0, false) => "complete: every level",
            (1, false) => "missing one level",
            (_, false) => "missing several levels",
            (0, true) => "完整：各层级均可达",
            (1, true) => "缺少一个层级",
            (_, true) => "缺少多个层级",
        }
    }

    /// The legend label of the ring around overloaded stations.
    pub fn overloaded(&self, limit: f64) -> String {
        if self.zh() {
            format!("超负荷（每单位能力 > {} 人）", fmt_num(limit, 0))
        } else {
            format!("overloaded (> {} residents per unit)", fmt_num(limit, 0))
        }
    }

    /// The capacity chart's title.
    pub fn capacity_title(&self, field: &str) -> String {
        if self.zh() {
            format!("各站点每单位能力（{field}）服务的居民数")
        } else {
            format!("Residents per unit of capacity ({field}), by station")
        }
    }

    /// The capacity chart's axis.
    pub fn capacity_axis(&self) -> &'static str {
        if self.zh() {
            "最近站点为其服务的居民 ÷ 能力"
        } else {
            "residents for whom it is the nearest station ÷ capacity"
        }
    }

    /// The capacity chart's limit label.
    pub fn limit(&self, limit: f64) -> String {
        if self.zh() {
            format!("上限 {}", fmt_num(limit, 0))
        } else {
            format!("limit {}", fmt_num(limit, 0))
        }
    }

    /// The legend label of the straight-line walkshed circles.
    pub fn walkshed(&self, t: &Threshold, radius_m: f64) -> String {
        if self.zh() {
            format!(
                "{}直线范围（半径 {}）",
                self.adjective(t),
                self.metres(radius_m)
            )
        } else {
            format!(
                "{} straight-line reach (r = {})",
                self.adjective(t),
                self.metres(radius_m)
            )
        }
    }

    /// The legend label of streets reached within `t`.
    pub fn streets_within(&self, t: &Threshold) -> String {
        if self.zh() {
            format!("{}内可达的道路", self.threshold(t))
        } else {
            format!("streets within {}", self.threshold(t))
        }
    }

    /// The legend label of streets reached between two thresholds.
    pub fn streets_between(&self, a: &Threshold, b: &Threshold) -> String {
        if self.zh() {
            format!(
                "{}–{}可达的道路",
                self.threshold_value(a),
                self.threshold(b)
            )
        } else {
            format!("streets {}–{}", self.threshold_value(a), self.threshold(b))
        }
    }

    /// The legend label of streets beyond the last threshold `t` or not reached at all (on a
    /// piece of the network without a station).
    pub fn streets_beyond(&self, t: &Threshold) -> String {
        if self.zh() {
            format!("超过{}或不可达的道路", self.threshold(t))
        } else {
            format!("streets beyond {} or not reached", self.threshold(t))
        }
    }

    /// The legend label of stations added to the base (`--add-stations`).
    pub fn added_stations(&self) -> &'static str {
        if self.zh() {
            "新增（规划）站点"
        } else {
            "added (proposed) station"
        }
    }

    /// The letter of the north arrow.
    pub fn north(&self) -> &'static str {
        if self.zh() {
            "北"
        } else {
            "N"
        }
    }

    /// A scale-bar length: `200 m`, `1 km` (`200 米`, `1 公里`).
    pub fn scale(&self, m: f64) -> String {
        let (v, unit) = if m >= 1000.0 {
            (m / 1000.0, ["km", "公里"])
        } else {
            (m, ["m", "米"])
        };
        format!("{v} {}", unit[usize::from(self.zh())])
    }

    /// The curve chart's caption.
    pub fn curve_title(&self) -> &'static str {
        match (self.weighted, self.zh()) {
            (true, false) => "Residents within walking reach of a station",
            (false, false) => "Blocks within walking reach of a station",
            (true, true) => "步行可达站点的居民比例",
            (false, true) => "步行可达站点的地块比例",
        }
    }

    /// The curve chart's x axis.
    pub fn curve_x(&self) -> &'static str {
        match (self.unit, self.zh()) {
            (ThresholdUnit::Minutes, false) => "walking time to the nearest station (min)",
            (ThresholdUnit::Minutes, true) => "到最近站点的步行时间（分钟）",
            (ThresholdUnit::Metres, false) => "walking distance to the nearest station (m)",
            (ThresholdUnit::Metres, true) => "到最近站点的步行距离（米）",
        }
    }

    /// The share axis of both charts.
    pub fn share_axis(&self, t: Option<&Threshold>) -> String {
        let who = match (self.weighted, self.zh()) {
            (true, false) => "residents",
            (false, false) => "blocks",
            (true, true) => "居民",
            (false, true) => "地块",
        };
        match (t, self.zh()) {
            (None, false) => format!("share of {who} reached (%)"),
            (None, true) => format!("可达{who}比例（%）"),
            (Some(t), false) => format!("share of {who} within {} (%)", self.threshold(t)),
            (Some(t), true) => format!("{}内可达{who}比例（%）", self.threshold(t)),
        }
    }

    /// The groups chart's caption; `field` is the group's display name (`--group-label`, else
    /// the field).
    pub fn groups_title(&self, field: &str, t: &Threshold) -> String {
        if self.zh() {
            let field = field.trim();
            let spaced = field.is_ascii();
            let (l, r) = if spaced { (" ", " ") } else { ("", "") };
            format!("按{l}{field}{r}分组的{}", self.coverage_name(t))
        } else {
            format!("{} by {field}", self.coverage_name(t))
        }
    }

    /// The overall reference line's label.
    pub fn overall(&self, share: f64) -> String {
        if self.zh() {
            format!("总体 {}", percent(share, self.lang))
        } else {
            format!("overall {}", percent(share, self.lang))
        }
    }

    /// The name of the group of blocks without the field.
    pub fn no_value(&self) -> &'static str {
        if self.zh() {
            "（无值）"
        } else {
            "(no value)"
        }
    }

    /// The note when only the worst groups are drawn.
    pub fn groups_shown(&self, shown: usize, total: usize) -> String {
        if self.zh() {
            format!("仅显示覆盖率最低的 {shown} 组（共 {total} 组）")
        } else {
            format!("the {shown} worst-covered of {total} groups are shown")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chinese_numerals() {
        assert_eq!(chinese_number(5).as_deref(), Some("五"));
        assert_eq!(chinese_number(10).as_deref(), Some("十"));
        assert_eq!(chinese_number(15).as_deref(), Some("十五"));
        assert_eq!(chinese_number(30).as_deref(), Some("三十"));
        assert_eq!(chinese_number(100), None);
    }

    #[test]
    fn titles() {
        let t = Threshold {
            label: "5".into(),
            minutes: 5.0,
            distance_m: 300.0,
        };
        let w = Words {
            lang: Lang::Zh,
            unit: ThresholdUnit::Minutes,
            weighted: true,
        };
        assert_eq!(w.coverage_name(&t), "五分钟步行覆盖率");
        let w = Words {
            lang: Lang::En,
            ..w
        };
        assert_eq!(w.coverage_name(&t), "5-minute walking coverage");
        assert_eq!(w.class_first(&t), "≤ 5 min (300 m)");
        assert_eq!(drawn_level(Some("Sub-Centre")), Some(Level::Subcenter));
        assert_eq!(drawn_level(Some("服务点")), Some(Level::Point));
        assert_eq!(drawn_level(Some("kiosk")), None);
        assert_eq!(drawn_rank(None), 4);
    }
}
