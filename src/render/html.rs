//! `report.html`: one self-contained page a planner can hand on — the question and the answer
//! in one sentence, the gap map, the curve, the groups worst first, the stations and their
//! load, the parameters and method, the sources — in English or Chinese.
//!
//! Everything is inline (SVG and CSS): no script, no font, image or stylesheet is fetched, and
//! the file holds no `http` address. Print CSS lays it out on A4 pages.

use std::fmt::Write as _;

use crate::config::ThresholdUnit;
use crate::report::{fmt_num, Summary};
use crate::Analysis;

use super::svg::escape;
use super::words::{percent, Words};
use super::{Lang, MapOptions, Maps, DEFAULT_ATTRIBUTION};

/// The page's style: screen and A4 print.
pub(crate) const STYLE: &str = "
body{font-family:'Noto Sans CJK SC','Source Han Sans SC','PingFang SC','Microsoft YaHei',\
'Noto Sans',Arial,sans-serif;color:#111;max-width:1100px;margin:24px auto;padding:0 20px;\
line-height:1.45}
h1{font-size:24px;margin:0 0 6px}h2{font-size:18px;margin:24px 0 8px;border-bottom:1px solid #ccc}
p.answer{font-size:17px;background:#F5F5F2;padding:10px 14px;border-left:4px solid #D55E00}
figure{margin:12px 0}figure svg{max-width:100%;height:auto;display:block}
table{border-collapse:collapse;font-size:13px;margin:6px 0}
th,td{border-bottom:1px solid #ddd;padding:3px 8px;text-align:right}
th:first-child,td:first-child{text-align:left}
dl{display:grid;grid-template-columns:max-content 1fr;gap:2px 16px;font-size:14px}dt{color:#555}
footer{margin-top:24px;font-size:12px;color:#555}
@page{size:A4;margin:14mm}
@media print{body{max-width:none;margin:0;padding:0;font-size:11pt}
h2{break-after:avoid}figure,table,dl{break-inside:avoid}section.map{break-after:page}
tr{break-inside:avoid}}
";

/// The texts of the page in one language.
struct Text {
    zh: bool,
}

impl Text {
    fn pick<'a>(&self, en: &'a str, zh: &'a str) -> &'a str {
        if self.zh {
            zh
        } else {
            en
        }
    }
}

/// An SVG document as an inline element: without its namespace attribute (HTML needs none), so
/// the page holds no address.
pub(crate) fn inline_svg(svg: &str) -> String {
    svg.replacen(" xmlns=\"http://www.w3.org/2000/svg\"", "", 1)
}

/// The question and the answer in one sentence each.
fn answer(summary: &Summary, words: &Words, t: &Text) -> (String, String) {
    let first = &summary.coverage[0];
    let last = &summary.coverage[summary.coverage.len() - 1];
    let who = if summary.parameters.weighted {
        t.pick("residents", "居民")
    } else {
        t.pick("blocks", "地块")
    };
    let within = words.threshold(&first.threshold);
    let question = if t.zh {
        format!("有多少{who}住在服务站点{within}步行范围内？缺口在哪里？")
    } else {
        format!("What share of {who} live within a {within} walk of a service station, and where are the gaps?")
    };
    let beyond = summary.population - last.population_covered;
    let answer = if t.zh {
        format!(
            "{}（{} 人中的 {} 人）在{within}内可达；{} 人在{}以外。",
            percent(first.share, Lang::Zh),
            fmt_num(summary.population, 0),
            fmt_num(first.population_covered, 0),
            fmt_num(beyond, 0),
            words.threshold(&last.threshold)
        )
    } else {
        format!(
            "{} ({} of {} {who}) live within {within}; {} live beyond {}.",
            percent(first.share, Lang::En),
            fmt_num(first.population_covered, 0),
            fmt_num(summary.population, 0),
            fmt_num(beyond, 0),
            words.threshold(&last.threshold)
        )
    };
    (question, answer)
}

/// Writes `report.html` of an analysis: its summary, drawn maps and map options.
pub fn report_html(
    analysis: &Analysis,
    summary: &Summary,
    maps: &Maps,
    options: &MapOptions,
) -> String {
    let t = Text {
        zh: options.lang == Lang::Zh,
    };
    let words = Words {
        lang: options.lang,
        unit: analysis.params.unit,
        weighted: summary.parameters.weighted,
    };
    let first = &summary.coverage[0];
    let title = words.map_title(&first.threshold, first.share);
    let (question, answer) = answer(summary, &words, &t);
    let mut o = String::with_capacity(1 << 20);
    let _ = writeln!(
        o,
        "<!DOCTYPE html>\n<html lang=\"{}\">\n<head>\n<meta charset=\"utf-8\">\n<title>{}</title>\n<style>{STYLE}</style>\n</head>\n<body>",
        t.pick("en", "zh-CN"),
        escape(&title)
    );
    let _ = writeln!(o, "<h1>{}</h1>", escape(&title));
    let _ = writeln!(o, "<p class=\"question\">{}</p>", escape(&question));
    let _ = writeln!(o, "<p class=\"answer\">{}</p>", escape(&answer));
    let svg = |name: &str| {
        maps.files
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, s)| inline_svg(s))
    };
    if let Some(gaps) = svg("gaps.svg") {
        let _ = writeln!(
            o,
            "<section class=\"map\"><h2>{}</h2>\n<figure>{gaps}</figure>\n<p>{}</p></section>",
            t.pick("Where the gaps are", "缺口分布"),
            escape(t.pick(
                "Each block is coloured by the walk from its centre to the nearest station: blue within the first threshold, shades of vermilion beyond it (the gap), grey off the walking network. Black symbols are stations; hollow ones are proposed.",
                "每个地块按其中心到最近站点的步行时间着色：蓝色为首个阈值以内，橙红色系为超出（缺口），灰色为未接入路网。黑色符号为现有站点，空心符号为规划站点。"
            ))
        );
    }
    if let Some(curve) = svg("curve.svg") {
        let _ = writeln!(
            o,
            "<h2>{}</h2>\n<figure>{curve}</figure>",
            t.pick("Share reached by walking time", "步行时间与可达比例")
        );
    }
    if let (Some(change), Some(map)) = (&summary.change, svg("change.svg")) {
        let field = options
            .group_label
            .as_deref()
            .or(summary.parameters.group_by.as_deref());
        let within = words.threshold(&first.threshold);
        // Its clip path renamed: ids are shared by every SVG inlined in one page.
        let map = map
            .replace("id=\"map\"", "id=\"change-map\"")
            .replace("url(#map)", "url(#change-map)");
        change_section(&mut o, change, &map, &within, field, &words, &t);
    }
    groups_table(&mut o, summary, options, &words, &t);
    stations_table(&mut o, analysis, summary, &t);
    method(&mut o, summary, &words, &t);
    let _ = writeln!(o, "</body>\n</html>");
    o
}

/// What the added stations change (`within` the first threshold): the map, then the residents
/// gained per group (`field` their name), most first.
fn change_section(
    o: &mut String,
    change: &crate::ChangeSummary,
    map: &str,
    within: &str,
    field: Option<&str>,
    words: &Words,
    t: &Text,
) {
    let total = &change.rows[0];
    let sentence = if t.zh {
        format!(
            "新增站点后，{within}内覆盖率由 {} 升至 {}，新覆盖 {} 人。",
            percent(change.shares[0], Lang::Zh),
            percent(change.shares[1], Lang::Zh),
            fmt_num(total.gained, 0)
        )
    } else {
        format!(
            "With the proposed stations, coverage within {within} goes from {} to {}: {} more residents.",
            percent(change.shares[0], Lang::En),
            percent(change.shares[1], Lang::En),
            fmt_num(total.gained - total.lost, 0)
        )
    };
    let _ = writeln!(
        o,
        "<section class=\"map change\"><h2>{}</h2>\n<p>{}</p>\n<figure>{map}</figure></section>",
        t.pick("What the proposed stations change", "新增站点带来的变化"),
        escape(&sentence)
    );
    let groups = change.groups_by_gain();
    if groups.is_empty() {
        return;
    }
    let field = field.unwrap_or(t.pick("group", "分组"));
    let _ = writeln!(
        o,
        "<h2>{}</h2>\n<table class=\"change\"><tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr>",
        escape(&if t.zh {
            format!("{within}内新覆盖的居民，按{field}，最多的在前")
        } else {
            format!("Residents gained within {within}, by {field}, most first")
        }),
        escape(field),
        t.pick("covered before", "原覆盖"),
        t.pick("covered after", "新增后覆盖"),
        t.pick("gained", "新覆盖")
    );
    for r in groups {
        let _ = writeln!(
            o,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>+{}</td></tr>",
            escape(r.group.as_deref().unwrap_or(words.no_value())),
            fmt_num(r.before, 0),
            fmt_num(r.after, 0),
            fmt_num(r.gained, 0)
        );
    }
    o.push_str("</table>\n");
}

/// The groups, worst first, with their share at every threshold.
fn groups_table(o: &mut String, summary: &Summary, options: &MapOptions, words: &Words, t: &Text) {
    let Some(groups) = &summary.groups else {
        return;
    };
    let field = options
        .group_label
        .as_deref()
        .or(summary.parameters.group_by.as_deref())
        .unwrap_or("group");
    let _ = writeln!(
        o,
        "<h2>{}</h2>\n<table class=\"groups\"><tr><th>{}</th><th>{}</th><th>{}</th>",
        escape(&if t.zh {
            format!("按{field}：覆盖率最低的在前")
        } else {
            format!("By {field}, worst first")
        }),
        escape(field),
        t.pick("blocks", "地块"),
        t.pick("residents", "人口")
    );
    for c in &summary.coverage {
        let _ = write!(o, "<th>≤ {}</th>", escape(&words.threshold(&c.threshold)));
    }
    o.push_str("</tr>\n");
    for g in groups {
        let name = g.name.as_deref().unwrap_or(words.no_value());
        let _ = write!(
            o,
            "<tr><td>{}</td><td>{}</td><td>{}</td>",
            escape(name),
            g.blocks,
            fmt_num(g.population, 0)
        );
        for c in &g.coverage {
            let _ = write!(o, "<td>{}</td>", percent(c.share, words.lang));
        }
        o.push_str("</tr>\n");
    }
    o.push_str("</table>\n");
}

/// The stations with their load: residents whose nearest station it is, within the first
/// threshold.
fn stations_table(o: &mut String, analysis: &Analysis, summary: &Summary, t: &Text) {
    let label = &analysis.params.thresholds[0].label;
    let _ = writeln!(
        o,
        "<h2>{}</h2>\n<p>{}</p>\n<table class=\"stations\"><tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr>",
        t.pick("Stations and their load", "站点及服务负荷"),
        escape(&if t.zh {
            format!("负荷：以该站为最近站点、且在 {label} 阈值内的居民与地块。")
        } else {
            format!("Load: residents and blocks whose nearest station it is, within the {label} threshold.")
        }),
        t.pick("station", "站点"),
        t.pick("level", "级别"),
        t.pick("source", "来源"),
        t.pick("residents", "人口"),
        t.pick("blocks", "地块")
    );
    for (i, (s, (pop, n))) in analysis
        .stations
        .iter()
        .zip(&analysis.aggregates.station_load)
        .enumerate()
    {
        let _ = writeln!(
            o,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{n}</td></tr>",
            escape(s.name.as_deref().unwrap_or(&s.id)),
            escape(s.level.as_deref().unwrap_or("")),
            escape(&summary.inputs.station_source(i)),
            fmt_num(*pop, 0)
        );
    }
    o.push_str("</table>\n");
}

/// Parameters, method, sources, version.
fn method(o: &mut String, summary: &Summary, words: &Words, t: &Text) {
    let p = &summary.parameters;
    let thresholds: Vec<String> = p
        .params
        .thresholds
        .iter()
        .map(|th| match p.params.unit {
            ThresholdUnit::Minutes => {
                format!("{} ({})", words.threshold(th), words.metres(th.distance_m))
            }
            ThresholdUnit::Metres => words.threshold(th),
        })
        .collect();
    let network = summary.inputs.network.is_some();
    let mode = words.mode(network, p.params.detour, p.params.max_snap_m);
    let files: Vec<String> = summary
        .inputs
        .stations
        .iter()
        .chain([&summary.inputs.blocks])
        .chain(summary.inputs.network.as_ref())
        .map(|f| {
            f.file_name().map_or_else(
                || f.display().to_string(),
                |n| n.to_string_lossy().into_owned(),
            )
        })
        .collect();
    let rows: [(&str, String); 7] = [
        (t.pick("walking speed", "步行速度"), words.speed(p.params.speed_m_per_min)),
        (t.pick("thresholds", "阈值"), thresholds.join(", ")),
        (t.pick("distance", "距离"), mode),
        (
            t.pick("method", "方法"),
            t.pick(
                if network {
                    "walk from each block's centre to the nearest station along the walking network, including the straight legs to and from the street"
                } else {
                    "straight line from each block's centre to the nearest station entrance, times the detour factor"
                },
                if network {
                    "沿步行路网计算每个地块中心到最近站点的步行距离，含往返道路的直线接入段"
                } else {
                    "每个地块中心到最近站点入口的直线距离乘以绕行系数"
                },
            )
            .to_owned(),
        ),
        (
            t.pick("standard", "标准"),
            t.pick(
                "GB 50180-2018 (5-, 10- and 15-minute life circles)",
                "《城市居住区规划设计标准》GB 50180-2018（5、10、15 分钟生活圈）",
            )
            .to_owned(),
        ),
        (
            t.pick("population", "人口"),
            if p.weighted {
                format!("{} ({})", fmt_num(summary.population, 0), p.population_field)
            } else {
                words.unweighted().to_owned()
            },
        ),
        (t.pick("input files", "输入文件"), files.join(", ")),
    ];
    let _ = writeln!(
        o,
        "<h2>{}</h2>\n<dl>",
        t.pick("Parameters and method", "参数与方法")
    );
    for (k, v) in rows {
        let _ = writeln!(o, "<dt>{}</dt><dd>{}</dd>", escape(k), escape(&v));
    }
    o.push_str("</dl>\n");
    let _ = writeln!(
        o,
        "<footer>{} · walkshed {} · {}</footer>",
        escape(DEFAULT_ATTRIBUTION),
        summary.tool.version,
        t.pick("sources: the input files above", "数据来源：上列输入文件")
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inline_svg_drops_the_namespace_address() {
        let s = inline_svg("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"1\"></svg>");
        assert_eq!(s, "<svg width=\"1\"></svg>");
    }
}
