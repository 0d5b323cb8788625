//! The batch's `report.html`: one self-contained page comparing the scenarios — the question
//! and the answer in one sentence, the comparison chart, the share of every scenario at every
//! threshold, what each scenario gains or loses against its base (in total and per group), each
//! scenario's method and inputs, the scenarios that failed — in English or Chinese, printable on
//! A4 like a single run's report.

use std::fmt::Write as _;

use crate::render::html::{inline_svg, STYLE};
use crate::render::words::{percent, Words};
use crate::render::{escape, Lang, DEFAULT_ATTRIBUTION};
use crate::report::fmt_num;

use super::diff::DiffScope;
use super::BatchReport;

fn pick<'a>(lang: Lang, en: &'a str, zh: &'a str) -> &'a str {
    match lang {
        Lang::Zh => zh,
        Lang::En => en,
    }
}

/// A file's name without its folder.
fn file_name(p: &std::path::Path) -> String {
    p.file_name().map_or_else(
        || p.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    )
}

/// Writes the batch's `report.html` from `report` (its scenarios, rows and diff) and the
/// comparison chart `chart` (`batch.svg`).
pub(super) fn batch_report_html(report: &BatchReport, chart: &str, lang: Lang) -> String {
    let ran: Vec<_> = report
        .scenarios
        .iter()
        .filter_map(|s| s.outcome.as_ref().ok().map(|summary| (s, summary)))
        .collect();
    let title = match lang {
        Lang::Zh => format!("方案比较：{}", file_name(&report.batch)),
        Lang::En => format!("Scenarios compared: {}", file_name(&report.batch)),
    };
    let mut o = String::with_capacity(1 << 18);
    let _ = writeln!(
        o,
        "<!DOCTYPE html>\n<html lang=\"{}\">\n<head>\n<meta charset=\"utf-8\">\n<title>{}</title>\n<style>{STYLE}</style>\n</head>\n<body>",
        pick(lang, "en", "zh-CN"),
        escape(&title)
    );
    let _ = writeln!(o, "<h1>{}</h1>", escape(&title));
    if let Some((question, answer)) = answer(report, lang) {
        let _ = writeln!(o, "<p class=\"question\">{}</p>", escape(&question));
        let _ = writeln!(o, "<p class=\"answer\">{}</p>", escape(&answer));
    }
    let _ = writeln!(
        o,
        "<section class=\"map\"><h2>{}</h2>\n<figure>{}</figure></section>",
        pick(lang, "Share reached in every scenario", "各方案的可达比例"),
        inline_svg(chart)
    );
    shares_table(&mut o, report, lang);
    diff_tables(&mut o, report, lang);
    let _ = writeln!(
        o,
        "<h2>{}</h2>\n<table class=\"scenarios\"><tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr>",
        pick(lang, "Scenarios: method and inputs", "各方案的方法与输入"),
        pick(lang, "scenario", "方案"),
        pick(lang, "distance", "距离"),
        pick(lang, "walking speed", "步行速度"),
        pick(lang, "stations", "站点"),
        pick(lang, "input files", "输入文件")
    );
    for (s, summary) in &ran {
        let p = &summary.parameters.params;
        let words = Words {
            lang,
            unit: p.unit,
            weighted: summary.parameters.weighted,
        };
        let files: Vec<String> = summary
            .inputs
            .stations
            .iter()
            .chain([&summary.inputs.blocks])
            .chain(summary.inputs.network.as_ref())
            .map(|f| file_name(f))
            .collect();
        let _ = writeln!(
            o,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            escape(&s.name),
            escape(&words.mode(summary.network.is_some(), p.detour, p.max_snap_m)),
            escape(&words.speed(p.speed_m_per_min)),
            summary.counts.stations,
            escape(&files.join(", "))
        );
    }
    o.push_str("</table>\n");
    let failed: Vec<_> = report
        .scenarios
        .iter()
        .filter_map(|s| s.outcome.as_ref().err().map(|e| (&s.name, e)))
        .collect();
    if !failed.is_empty() {
        let _ = writeln!(
            o,
            "<h2>{}</h2>\n<ul>",
            pick(lang, "Scenarios that failed", "运行失败的方案")
        );
        for (name, why) in failed {
            let _ = writeln!(o, "<li><b>{}</b>: {}</li>", escape(name), escape(why));
        }
        o.push_str("</ul>\n");
    }
    let _ = writeln!(
        o,
        "<footer>{} · walkshed {} · {}</footer>\n</body>\n</html>",
        escape(DEFAULT_ATTRIBUTION),
        env!("CARGO_PKG_VERSION"),
        pick(
            lang,
            "each scenario's own report.html has its map, groups and stations",
            "各方案文件夹中的 report.html 另有地图、分组与站点"
        )
    );
    o
}

/// The question and the answer: with a diff, which scenario gains the most residents against
/// its base (each measured the same way as its base); else which reaches the most within the
/// first scenario's first threshold (among the scenarios that share it).
fn answer(report: &BatchReport, lang: Lang) -> Option<(String, String)> {
    if let Some(a) = best_gain(report, lang) {
        return Some(a);
    }
    let first = report.rows.first()?;
    let at: Vec<_> = report
        .rows
        .iter()
        .filter(|r| r.distance_m == first.distance_m)
        .collect();
    let best = at.iter().max_by(|a, b| a.share.total_cmp(&b.share))?;
    let worst = at.iter().min_by(|a, b| a.share.total_cmp(&b.share))?;
    let within = within(&first.label, first.distance_m, lang);
    Some(match lang {
        Lang::Zh => (
            format!("哪个方案让最多居民在{within}内到达服务站点？"),
            format!(
                "{}最多：{}（{} 人）；{}最少：{}。",
                best.scenario,
                percent(best.share, lang),
                fmt_num(best.covered, 0),
                worst.scenario,
                percent(worst.share, lang)
            ),
        ),
        Lang::En => (
            format!("Which scenario brings the most residents within {within} of a station?"),
            format!(
                "{} reaches the most, {} ({} residents); {} the fewest, {}.",
                best.scenario,
                percent(best.share, lang),
                fmt_num(best.covered, 0),
                worst.scenario,
                percent(worst.share, lang)
            ),
        ),
    })
}

/// The scenario that gains the most residents against its base, at the first threshold of
/// its comparison.
fn best_gain(report: &BatchReport, lang: Lang) -> Option<(String, String)> {
    let diff = report.diff.as_ref()?;
    let mut firsts: Vec<&super::diff::DiffRow> = Vec::new();
    for r in diff.rows.iter().filter(|r| r.scope == DiffScope::Total) {
        if !firsts.iter().any(|f| f.scenario == r.scenario) {
            firsts.push(r);
        }
    }
    let best = firsts.iter().max_by(|a, b| a.net.total_cmp(&b.net))?;
    let within = within(&best.threshold, best.distance_m, lang);
    let pop = report.rows.first().map_or(0.0, |r| r.population);
    let share = |x: f64| percent(if pop > 0.0 { x / pop } else { 0.0 }, lang);
    let signed = format!(
        "{}{}",
        if best.net >= 0.0 { "+" } else { "−" },
        fmt_num(best.net.abs(), 0)
    );
    Some(match lang {
        Lang::Zh => (
            format!("哪个方案相对其基准方案让最多居民进入{within}步行范围？"),
            format!(
                "{}：相对 {}，{within}内覆盖 {signed} 人（{} → {}）。",
                best.scenario,
                best.base,
                share(best.base_covered),
                share(best.covered)
            ),
        ),
        Lang::En => (
            format!("Which scenario brings the most residents within {within} of a station, against its base?"),
            format!(
                "{}: {signed} residents within {within} against {} ({} → {}).",
                best.scenario,
                best.base,
                share(best.base_covered),
                share(best.covered)
            ),
        ),
    })
}

/// A threshold (its `label` and metres) as words: `5 min` / `5 分钟`, `300 m` / `300 米`.
fn within(label: &str, distance_m: f64, lang: Lang) -> String {
    let metres = label.ends_with('m');
    let v = if metres {
        fmt_num(distance_m, 0)
    } else {
        label.to_owned()
    };
    match (metres, lang) {
        (true, Lang::Zh) => format!("{v} 米"),
        (true, Lang::En) => format!("{v} m"),
        (false, Lang::Zh) => format!("{v} 分钟"),
        (false, Lang::En) => format!("{v} min"),
    }
}

/// Every scenario's share at every threshold, one row per scenario.
fn shares_table(o: &mut String, report: &BatchReport, lang: Lang) {
    let mut labels: Vec<(f64, String)> = Vec::new();
    for r in &report.rows {
        if !labels.iter().any(|l| l.0 == r.distance_m) {
            labels.push((r.distance_m, within(&r.label, r.distance_m, lang)));
        }
    }
    labels.sort_by(|a, b| a.0.total_cmp(&b.0));
    let _ = write!(
        o,
        "<h2>{}</h2>\n<table class=\"shares\"><tr><th>{}</th><th>{}</th>",
        pick(
            lang,
            "Share of residents within each walk",
            "各阈值内的居民比例"
        ),
        pick(lang, "scenario", "方案"),
        pick(lang, "residents", "人口")
    );
    for (_, l) in &labels {
        let _ = write!(o, "<th>≤ {}</th>", escape(l));
    }
    o.push_str("</tr>\n");
    let mut names: Vec<&str> = Vec::new();
    for r in &report.rows {
        if !names.contains(&r.scenario.as_str()) {
            names.push(&r.scenario);
        }
    }
    for name in names {
        let rows: Vec<_> = report.rows.iter().filter(|r| r.scenario == name).collect();
        let _ = write!(
            o,
            "<tr><td>{}</td><td>{}</td>",
            escape(name),
            fmt_num(rows[0].population, 0)
        );
        for (d, _) in &labels {
            match rows.iter().find(|r| r.distance_m == *d) {
                Some(r) => {
                    let _ = write!(o, "<td>{}</td>", percent(r.share, lang));
                }
                None => o.push_str("<td>—</td>"),
            }
        }
        o.push_str("</tr>\n");
    }
    o.push_str("</table>\n");
}

/// Against each scenario's base, at the first threshold the two share: the totals, then the
/// net change per group (groups as rows, compared scenarios as columns), most gained first.
fn diff_tables(o: &mut String, report: &BatchReport, lang: Lang) {
    let Some(diff) = &report.diff else {
        return;
    };
    // The first threshold of each comparison.
    let mut pairs: Vec<(&str, &str, f64)> = Vec::new();
    for r in &diff.rows {
        if !pairs.iter().any(|p| p.0 == r.scenario) {
            pairs.push((&r.scenario, &r.base, r.distance_m));
        }
    }
    let _ = writeln!(
        o,
        "<h2>{}</h2>\n<table class=\"diff\"><tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr>",
        pick(lang, "Residents gained against the base", "相对基准方案的居民增减"),
        pick(lang, "scenario", "方案"),
        pick(lang, "base", "基准"),
        pick(lang, "within", "阈值"),
        pick(lang, "net", "净增"),
        pick(lang, "gained", "新覆盖"),
        pick(lang, "lost", "不再覆盖")
    );
    let total = |s: &str, d: f64| {
        diff.rows
            .iter()
            .find(|r| r.scenario == s && r.distance_m == d && r.scope == DiffScope::Total)
    };
    let signed = |x: f64| {
        format!(
            "{}{}",
            if x >= 0.0 { "+" } else { "−" },
            fmt_num(x.abs(), 0)
        )
    };
    let opt = |x: Option<f64>| x.map_or("—".to_owned(), |v| fmt_num(v, 0));
    for (s, b, d) in &pairs {
        if let Some(r) = total(s, *d) {
            let _ = writeln!(
                o,
                "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                escape(s),
                escape(b),
                escape(&within(&r.threshold, r.distance_m, lang)),
                signed(r.net),
                opt(r.gained),
                opt(r.lost)
            );
        }
    }
    o.push_str("</table>\n");
    let Some(field) = &diff.group_by else {
        return;
    };
    let mut groups: Vec<(Option<&str>, f64)> = Vec::new();
    for r in diff.rows.iter().filter(|r| r.scope == DiffScope::Group) {
        if pairs
            .iter()
            .any(|p| p.0 == r.scenario && p.2 == r.distance_m)
        {
            match groups.iter_mut().find(|g| g.0 == r.group.as_deref()) {
                Some(g) => g.1 = g.1.max(r.net),
                None => groups.push((r.group.as_deref(), r.net)),
            }
        }
    }
    // Groups that no comparison changes are summed up in one line below the table.
    let unchanged = diff
        .rows
        .iter()
        .filter(|r| r.scope == DiffScope::Group)
        .filter(|r| {
            pairs
                .iter()
                .any(|p| p.0 == r.scenario && p.2 == r.distance_m)
        })
        .fold(Vec::<(Option<&str>, bool)>::new(), |mut acc, r| {
            let moved =
                r.gained.unwrap_or(0.0) != 0.0 || r.lost.unwrap_or(0.0) != 0.0 || r.net != 0.0;
            match acc.iter_mut().find(|g| g.0 == r.group.as_deref()) {
                Some(g) => g.1 |= moved,
                None => acc.push((r.group.as_deref(), moved)),
            }
            acc
        });
    groups.retain(|g| unchanged.iter().any(|u| u.0 == g.0 && u.1));
    let still = unchanged.iter().filter(|u| !u.1).count();
    groups.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
    let _ = write!(
        o,
        "<h2>{}</h2>\n<table class=\"diff-groups\"><tr><th>{}</th>",
        escape(&match lang {
            Lang::Zh => format!("按 {field} 的居民净增（首个阈值）"),
            Lang::En => format!("Net residents gained by {field} (first threshold)"),
        }),
        escape(field)
    );
    for (s, _, _) in &pairs {
        let _ = write!(o, "<th>{}</th>", escape(s));
    }
    o.push_str("</tr>\n");
    for (g, _) in &groups {
        let _ = write!(o, "<tr><td>{}</td>", escape(g.unwrap_or("—")));
        for (s, _, d) in &pairs {
            let cell = diff
                .rows
                .iter()
                .find(|r| {
                    r.scenario == *s
                        && r.distance_m == *d
                        && r.scope == DiffScope::Group
                        && r.group.as_deref() == *g
                })
                .map_or("—".to_owned(), |r| signed(r.net));
            let _ = write!(o, "<td>{cell}</td>");
        }
        o.push_str("</tr>\n");
    }
    o.push_str("</table>\n");
    if still > 0 {
        let _ = writeln!(
            o,
            "<p>{}</p>",
            escape(&match lang {
                Lang::Zh => format!("其余 {still} 个{field}在各方案中不变。"),
                Lang::En => format!("The other {still} ({field}) do not change in any scenario."),
            })
        );
    }
}
