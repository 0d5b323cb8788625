//! Issue 16 on the shipped Shihua sample: map furniture never covers data, labels do not
//! overlap and the dropped ones are counted, gaps start beyond the first threshold, added
//! stations stand apart, every network piece is drawn with a reason for unreached blocks,
//! charts and text read right.

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use walkshed::text_width;

use crate::common::repo;

fn walkshed() -> Command {
    Command::cargo_bin("walkshed").expect("binary")
}

/// Runs `walkshed coverage` on the Shihua sample with `extra` arguments into `out`; returns
/// stdout and stderr.
fn shihua(out: &Path, extra: &[&str]) -> (String, String) {
    let d = repo("data/shihua");
    let mut cmd = walkshed();
    cmd.arg("coverage")
        .arg("--stations")
        .arg(d.join("stations.geojson"))
        .arg("--blocks")
        .arg(d.join("blocks.geojson"))
        .arg("--out")
        .arg(out)
        .args(extra);
    let o = cmd.output().expect("runs");
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    (
        String::from_utf8(o.stdout).unwrap(),
        String::from_utf8(o.stderr).unwrap(),
    )
}

fn read(p: PathBuf) -> String {
    std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

type Rect = [f64; 4];

fn overlaps(a: &Rect, b: &Rect) -> bool {
    a[0] < b[2] && b[0] < a[2] && a[1] < b[3] && b[1] < a[3]
}

fn num(n: roxmltree::Node, a: &str) -> f64 {
    n.attribute(a).and_then(|v| v.parse().ok()).unwrap_or(0.0)
}

fn has_class(n: &roxmltree::Node, class: &str) -> bool {
    n.attribute("class")
        .is_some_and(|c| c.split_whitespace().any(|x| x == class))
}

/// The box of a path's `d` as the maps write it: `M x y` then relative `l`, `h`, `v`, `z`.
fn path_box(d: &str) -> Option<Rect> {
    let mut b = [
        f64::INFINITY,
        f64::INFINITY,
        f64::NEG_INFINITY,
        f64::NEG_INFINITY,
    ];
    let mut at = [0.0, 0.0];
    let mut cmd = 'M';
    let mut nums: Vec<f64> = Vec::new();
    let grow = |p: [f64; 2], b: &mut Rect| {
        b[0] = b[0].min(p[0]);
        b[1] = b[1].min(p[1]);
        b[2] = b[2].max(p[0]);
        b[3] = b[3].max(p[1]);
    };
    let flush = |cmd: char, nums: &mut Vec<f64>, at: &mut [f64; 2], b: &mut Rect| {
        match cmd {
            'M' => {
                for p in nums.chunks(2).filter(|p| p.len() == 2) {
                    *at = [p[0], p[1]];
                    grow(*at, b);
                }
            }
            'l' => {
                for p in nums.chunks(2).filter(|p| p.len() == 2) {
                    *at = [at[0] + p[0], at[1] + p[1]];
                    grow(*at, b);
                }
            }
            'h' => {
                for v in nums.iter() {
                    at[0] += v;
                    grow(*at, b);
                }
            }
            'v' => {
                for v in nums.iter() {
                    at[1] += v;
                    grow(*at, b);
                }
            }
            _ => {}
        }
        nums.clear();
    };
    let mut token = String::new();
    for c in d.chars().chain(std::iter::once(' ')) {
        let ends = c.is_ascii_alphabetic() || c == ' ' || (c == '-' && !token.is_empty());
        if ends && !token.is_empty() {
            nums.push(token.parse().ok()?);
            token.clear();
        }
        if c.is_ascii_alphabetic() {
            flush(cmd, &mut nums, &mut at, &mut b);
            cmd = c;
        } else if c != ' ' {
            token.push(c);
        }
    }
    flush(cmd, &mut nums, &mut at, &mut b);
    b[0].is_finite().then_some(b)
}

/// The boxes of the data: every block and street path.
fn data_boxes(doc: &roxmltree::Document) -> Vec<Rect> {
    doc.descendants()
        .filter(|n| has_class(n, "blocks") || has_class(n, "streets"))
        .flat_map(|g| g.descendants().filter(|p| p.has_tag_name("path")))
        .filter_map(|p| p.attribute("d").and_then(path_box))
        .collect()
}

/// The boxes of the furniture: scale bar, north arrow, legend (each element's own box).
fn furniture_boxes(doc: &roxmltree::Document) -> Vec<(String, Rect)> {
    let mut out = Vec::new();
    for g in doc.descendants().filter(|n| {
        has_class(n, "scale-bar") || has_class(n, "north-arrow") || has_class(n, "legend")
    }) {
        for n in g.descendants() {
            let r = match n.tag_name().name() {
                "rect" => Some([
                    num(n, "x"),
                    num(n, "y"),
                    num(n, "x") + num(n, "width"),
                    num(n, "y") + num(n, "height"),
                ]),
                "circle" => {
                    let (x, y, r) = (num(n, "cx"), num(n, "cy"), num(n, "r"));
                    Some([x - r, y - r, x + r, y + r])
                }
                "text" => {
                    let t = n.text().unwrap_or("");
                    let (x, y) = (num(n, "x"), num(n, "y"));
                    let w = text_width(t, 12.0);
                    let x0 = match n.attribute("text-anchor") {
                        Some("end") => x - w,
                        Some("middle") => x - w / 2.0,
                        _ => x,
                    };
                    Some([x0, y - 12.0, x0 + w, y + 3.0])
                }
                "path" => n.attribute("d").and_then(path_box),
                _ => None,
            };
            if let Some(r) = r {
                out.push((g.attribute("class").unwrap_or("").to_owned(), r));
            }
        }
    }
    out
}

/// The boxes of the station labels.
fn label_boxes(doc: &roxmltree::Document) -> Vec<(String, Rect)> {
    doc.descendants()
        .filter(|n| has_class(n, "labels"))
        .flat_map(|g| g.children().filter(|t| t.has_tag_name("text")))
        .map(|t| {
            let s = t.text().unwrap_or("").to_owned();
            let (x, y) = (num(t, "x"), num(t, "y"));
            let w = text_width(&s, 11.0);
            (s, [x - 1.0, y - 11.0, x + w + 1.0, y + 3.3])
        })
        .collect()
}

pub(crate) fn check_map(svg: &str) {
    let doc = roxmltree::Document::parse(svg).expect("well-formed SVG");
    let data = data_boxes(&doc);
    assert!(data.len() > 3, "blocks and streets found");
    let furniture = furniture_boxes(&doc);
    assert!(furniture.iter().any(|f| f.0 == "scale-bar"));
    assert!(furniture.iter().any(|f| f.0 == "north-arrow"));
    for (what, f) in &furniture {
        for d in &data {
            assert!(!overlaps(f, d), "{what} {f:?} covers data {d:?}");
        }
    }
    let labels = label_boxes(&doc);
    for (i, (a, ra)) in labels.iter().enumerate() {
        for (b, rb) in &labels[i + 1..] {
            assert!(!overlaps(ra, rb), "labels {a} and {b} overlap");
        }
        for (what, f) in &furniture {
            assert!(!overlaps(ra, f), "label {a} under the {what}");
        }
    }
}

#[test]
fn furniture_covers_no_data_and_labels_do_not_overlap() {
    let dir = tempfile::tempdir().unwrap();
    let d = repo("data/shihua");
    let walk = d.join("walk.geojson");
    let runs: [Vec<&str>; 3] = [
        vec![
            "--minutes",
            "5,10,15",
            "--group-by",
            "committee",
            "--labels",
        ],
        vec![
            "--minutes",
            "5,10,15",
            "--labels",
            "--lang",
            "zh",
            "--network",
            walk.to_str().unwrap(),
        ],
        vec!["--distance", "300,500,1000", "--labels"],
    ];
    for (k, args) in runs.iter().enumerate() {
        let out = dir.path().join(format!("run{k}"));
        shihua(&out, args);
        check_map(&read(out.join("gaps.svg")));
    }
}

#[test]
fn dropped_labels_are_counted_and_gap_stations_kept() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("o");
    let (stdout, stderr) = shihua(
        &out,
        &[
            "--minutes",
            "5,10,15",
            "--group-by",
            "committee",
            "--labels",
        ],
    );
    let svg = read(out.join("gaps.svg"));
    let doc = roxmltree::Document::parse(&svg).unwrap();
    let labels: Vec<String> = label_boxes(&doc).into_iter().map(|l| l.0).collect();
    for kept in ["第20居委会服务站", "服务点02"] {
        assert!(
            labels.iter().any(|l| l == kept),
            "{kept} missing: {labels:?}"
        );
    }
    let summary: serde_json::Value = serde_json::from_str(&read(out.join("summary.json"))).unwrap();
    let note = &summary["labels"];
    assert_eq!(note["named"], 32);
    let dropped = note["dropped"].as_u64().unwrap() as usize;
    assert_eq!(dropped + labels.len(), 32, "every name drawn or counted");
    assert_eq!(note["dropped_names"].as_array().unwrap().len(), dropped);
    if dropped > 0 {
        assert!(stderr.contains("station labels left off"), "{stderr}");
        assert!(stdout.contains("station labels left off"), "{stdout}");
    }
    // Without --labels the summary says nothing of labels.
    let plain = dir.path().join("p");
    shihua(&plain, &["--outputs", "summary,maps"]);
    assert!(!read(plain.join("summary.json")).contains("\"labels\""));
}

#[test]
fn every_class_beyond_the_first_threshold_is_a_gap() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("o");
    shihua(&out, &["--minutes", "5,10,15"]);
    let svg = read(out.join("gaps.svg"));
    let doc = roxmltree::Document::parse(&svg).unwrap();
    let items: Vec<(String, String)> = doc
        .descendants()
        .filter(|n| has_class(n, "legend-item"))
        .map(|g| {
            let fill = g
                .children()
                .find(|c| c.has_tag_name("rect"))
                .and_then(|r| r.attribute("fill"))
                .unwrap()
                .to_owned();
            let label = g
                .children()
                .filter(|c| c.has_tag_name("text"))
                .find_map(|t| t.text())
                .unwrap()
                .to_owned();
            (label, fill)
        })
        .collect();
    assert_eq!(items.len(), 4);
    assert_eq!(
        items[0],
        ("≤ 5 min (300 m)".to_owned(), "#0072B2".to_owned())
    );
    for (label, fill) in &items[1..] {
        assert!(label.ends_with("(gap)"), "{label}");
        let r = u8::from_str_radix(&fill[1..3], 16).unwrap();
        let b = u8::from_str_radix(&fill[5..7], 16).unwrap();
        assert!(r > b, "{label}: {fill} is a shade of vermilion, not blue");
    }
    assert_eq!(items[3].1, walkshed::GAP_COLOUR);
}

#[test]
fn added_stations_have_their_own_symbol_and_source() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("o");
    let proposed = repo("data/shihua/proposed-stations.geojson");
    shihua(
        &out,
        &[
            "--distance",
            "300,500,1000",
            "--add-stations",
            proposed.to_str().unwrap(),
        ],
    );
    let csv = read(out.join("stations.csv"));
    let mut lines = csv.lines();
    assert!(lines.next().unwrap().ends_with(",source"));
    let sources: Vec<&str> = lines.map(|l| l.rsplit(',').next().unwrap()).collect();
    let added = sources
        .iter()
        .filter(|s| **s == "proposed-stations.geojson")
        .count();
    assert_eq!(sources.len(), 36);
    assert_eq!(added, 4);
    assert!(sources[..32].iter().all(|s| *s == "base"));
    let svg = read(out.join("gaps.svg"));
    let doc = roxmltree::Document::parse(&svg).unwrap();
    let group = doc
        .descendants()
        .find(|n| has_class(n, "added"))
        .expect("a group of added stations");
    assert_eq!(
        group.attribute("fill"),
        Some("#FFF"),
        "added stations are hollow"
    );
    let n: usize = group
        .children()
        .filter_map(|p| p.attribute("data-stations"))
        .map(|v| v.parse::<usize>().unwrap())
        .sum();
    assert_eq!(n, 4);
    assert!(doc
        .descendants()
        .any(|t| t.text() == Some("added (proposed) station")));
}

#[test]
fn every_network_piece_is_drawn_and_unreached_blocks_say_why() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("o");
    let walk = repo("data/shihua/walk.geojson");
    shihua(
        &out,
        &["--minutes", "5,10,15", "--network", walk.to_str().unwrap()],
    );
    let blocks: serde_json::Value =
        serde_json::from_str(&read(out.join("blocks.geojson"))).unwrap();
    let summary: serde_json::Value = serde_json::from_str(&read(out.join("summary.json"))).unwrap();
    let mut counts = std::collections::BTreeMap::new();
    for f in blocks["features"].as_array().unwrap() {
        let p = &f["properties"];
        let why = p["ws_unreached"].as_str();
        assert_eq!(why.is_none(), p["ws_distance_m"].is_number(), "{p}");
        *counts
            .entry(why.unwrap_or("reached").to_owned())
            .or_insert(0u64) += 1;
    }
    let n = &summary["network"];
    assert_eq!(
        counts.get("off_network").copied().unwrap_or(0),
        n["blocks_off_network"].as_u64().unwrap()
    );
    assert_eq!(
        counts.get("no_station_on_piece").copied().unwrap_or(0),
        n["blocks_on_pieces_without_station"].as_u64().unwrap()
    );
    assert!(
        counts.get("no_station_on_piece").copied().unwrap_or(0) > 0,
        "{counts:?}"
    );
    // The streets of pieces without a station are drawn (light), with a legend entry.
    let svg = read(out.join("gaps.svg"));
    assert!(svg.contains("<path data-streets=\"beyond\""));
    assert!(svg.contains("class=\"legend-streets\" data-streets=\"beyond\""));
}

#[test]
fn groups_chart_uses_the_display_name_and_keeps_labels_off_the_line() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("o");
    shihua(
        &out,
        &[
            "--minutes",
            "5,10,15",
            "--group-by",
            "committee",
            "--group-label",
            "居委会",
            "--lang",
            "zh",
            "--outputs",
            "maps",
        ],
    );
    let svg = read(out.join("groups.svg"));
    assert!(svg.contains("按居委会分组的五分钟步行覆盖率"), "title");
    assert!(!svg.contains("committee"));
    let doc = roxmltree::Document::parse(&svg).unwrap();
    // The overall line: the dashed segments in the gap colour, all at one x.
    let xs: Vec<f64> = doc
        .descendants()
        .filter(|n| {
            (n.has_tag_name("polyline") || n.has_tag_name("line") || n.has_tag_name("path"))
                && n.attribute("stroke") == Some(walkshed::GAP_COLOUR)
        })
        .filter_map(|n| {
            n.attribute("points")
                .and_then(|p| p.split([' ', ',']).next()?.parse().ok())
                .or_else(|| n.attribute("x1").and_then(|v| v.parse().ok()))
        })
        .collect();
    assert!(!xs.is_empty(), "overall line found");
    let line_x = xs[0];
    let values: Vec<(String, f64)> = doc
        .descendants()
        .filter(|t| t.has_tag_name("text") && t.text().is_some_and(|s| s.contains(" · ")))
        .map(|t| (t.text().unwrap().to_owned(), num(t, "x")))
        .collect();
    assert!(values.len() >= 20);
    for (label, x) in values {
        let w = text_width(&label, 12.0);
        assert!(
            !(x < line_x && x + w > line_x),
            "{label} crosses the overall line"
        );
    }
}

#[test]
fn text_summary_reads_true() {
    let dir = tempfile::tempdir().unwrap();
    let (text, _) = shihua(
        &dir.path().join("d"),
        &["--distance", "300,500,1000", "--outputs", "summary"],
    );
    let walking = text
        .lines()
        .find(|l| l.trim_start().starts_with("walking"))
        .unwrap();
    assert!(
        !walking.contains("60.0") && !walking.contains("1,000 m at"),
        "{walking}"
    );
    assert!(walking.contains("1,000 m"));
    assert!(text.contains("1,000 m "), "the table writes 1,000 m too");
    assert!(!text.contains("1000 m"));
    // Chinese group names take two columns a character: every row of the table is as wide.
    let (text, _) = shihua(
        &dir.path().join("g"),
        &[
            "--minutes",
            "5,10,15",
            "--group-by",
            "committee",
            "--outputs",
            "summary",
        ],
    );
    let rows: Vec<&str> = text
        .lines()
        .skip_while(|l| !l.contains("worst first"))
        .skip(1)
        .take_while(|l| !l.trim().is_empty())
        .collect();
    assert_eq!(rows.len(), 27, "{text}");
    let widths: Vec<usize> = rows
        .iter()
        .map(|r| unicode_width::UnicodeWidthStr::width(*r))
        .collect();
    assert!(widths.iter().all(|w| *w == widths[0]), "{rows:#?}");
}

#[test]
fn outputs_groups_writes_groups_csv() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("o");
    shihua(&out, &["--group-by", "committee", "--outputs", "groups"]);
    let mut names: Vec<String> = std::fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(names, ["groups.csv"]);
}

#[test]
fn batch_compares_each_scenario_with_its_own_base_and_ranks_gains() {
    let dir = tempfile::tempdir().unwrap();
    let d = repo("data/shihua");
    let toml = dir.path().join("b.toml");
    let text = read(d.join("batch.toml")).replace(
        "[defaults]\n",
        "[defaults]\nlang = \"zh\"\noutputs = \"summary\"\n",
    );
    let text = text
        .replace(
            "\"stations.geojson\"",
            &format!("{:?}", d.join("stations.geojson")),
        )
        .replace(
            "\"blocks.geojson\"",
            &format!("{:?}", d.join("blocks.geojson")),
        )
        .replace("\"walk.geojson\"", &format!("{:?}", d.join("walk.geojson")))
        .replace(
            "[\"proposed-stations.geojson\"]",
            &format!("[{:?}]", d.join("proposed-stations.geojson")),
        );
    std::fs::write(&toml, text).unwrap();
    let out = dir.path().join("out");
    let o = walkshed()
        .args([
            "batch",
            toml.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
            "--diff",
            "today",
            "-q",
        ])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let csv = read(out.join("diff.csv"));
    let totals: Vec<(&str, &str)> = csv
        .lines()
        .filter(|l| l.contains(",total,"))
        .map(|l| {
            let mut c = l.split(',');
            (c.next().unwrap(), c.next().unwrap())
        })
        .collect();
    assert!(
        totals.contains(&("proposed-network", "today-network")),
        "{totals:?}"
    );
    assert!(totals.contains(&("proposed", "today")));
    assert!(
        !totals.iter().any(|t| t.0 == "today-network"),
        "diff = false"
    );
    let svg = read(out.join("batch.svg"));
    assert!(
        svg.contains("各方案步行可达居民比例"),
        "the batch's language"
    );
    let doc = roxmltree::Document::parse(&svg).unwrap();
    let gains: Vec<f64> = doc
        .descendants()
        .filter(|n| n.attribute("data-net").is_some())
        .map(|n| num(n, "data-net"))
        .collect();
    assert_eq!(gains.len(), 2);
    assert!(gains[0] >= gains[1], "ranked, most first: {gains:?}");
    assert!(svg.contains("对比 today-network"));
}

/// A program on the PATH (or in /usr/bin), if installed.
pub(crate) fn program(name: &str) -> Option<PathBuf> {
    std::env::var_os("PATH")
        .map(|p| {
            std::env::split_paths(&p)
                .map(|d| d.join(name))
                .collect::<Vec<_>>()
        })
        .unwrap_or_default()
        .into_iter()
        .chain([Path::new("/usr/bin").join(name)])
        .find(|p| p.is_file())
}

/// Page 1 of `pdf` as RGB pixels, at 60 dpi.
fn first_page(pdf: &Path) -> Vec<[u8; 3]> {
    let stem = pdf.with_extension("");
    let ok = std::process::Command::new("pdftoppm")
        .args(["-png", "-r", "60", "-f", "1", "-l", "1", "-singlefile"])
        .arg(pdf)
        .arg(&stem)
        .status()
        .expect("pdftoppm runs");
    assert!(ok.success());
    let file = std::fs::File::open(stem.with_extension("png")).expect("page 1 as PNG");
    let mut reader = png::Decoder::new(std::io::BufReader::new(file))
        .read_info()
        .expect("a PNG");
    let mut buf = vec![0; reader.output_buffer_size().expect("size")];
    let info = reader.next_frame(&mut buf).expect("a frame");
    let step = info.color_type.samples();
    buf[..info.buffer_size()]
        .chunks(step)
        .map(|p| [p[0], p[1], p[2]])
        .collect()
}

#[test]
fn report_html_is_self_contained_and_prints_on_a4() {
    let dir = tempfile::tempdir().unwrap();
    for (lang, title, share) in [
        (
            "en",
            "5-minute walking coverage: 65.7 % of residents",
            "65,190 of 99,235 residents",
        ),
        ("zh", "五分钟步行覆盖率：65.7%（按居民人口）", "65,190"),
    ] {
        let out = dir.path().join(lang);
        shihua(
            &out,
            &[
                "--minutes",
                "5,10,15",
                "--group-by",
                "committee",
                "--labels",
                "--lang",
                lang,
                "--outputs",
                "report",
            ],
        );
        let html = read(out.join("report.html"));
        assert!(!html.contains("http"), "{lang}: no address in the page");
        assert!(!html.contains("<script") && !html.contains("<link") && !html.contains("<img"));
        assert!(html.contains(title) && html.contains(share), "{lang}");
        assert!(html.contains("第20居委会"), "the groups table");
        let (Some(browser), Some(_)) = (program("chromium"), program("pdftotext")) else {
            println!("skipped printing: chromium or poppler-utils not installed");
            continue;
        };
        let pdf = dir.path().join(format!("{lang}.pdf"));
        let status = std::process::Command::new(browser)
            .args([
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--no-pdf-header-footer",
            ])
            .arg(format!("--print-to-pdf={}", pdf.display()))
            .arg(out.join("report.html"))
            .stderr(std::process::Stdio::null())
            .status()
            .expect("chromium starts");
        assert!(pdf.is_file(), "chromium printed no PDF: {status:?}");
        let info = std::process::Command::new("pdfinfo")
            .arg(&pdf)
            .output()
            .unwrap();
        let info = String::from_utf8_lossy(&info.stdout).into_owned();
        let pages: usize = info
            .lines()
            .find_map(|l| l.strip_prefix("Pages:"))
            .and_then(|v| v.trim().parse().ok())
            .expect("a page count");
        assert!((2..=8).contains(&pages), "{lang}: {pages} pages");
        assert!(info.contains("(A4)"), "A4 pages: {info}");
        let text = std::process::Command::new("pdftotext")
            .arg(&pdf)
            .arg("-")
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&text.stdout).replace('\n', " ");
        assert!(text.contains(title), "{lang}: title in the PDF text");
        assert!(text.contains("65.7"), "{lang}: the share in the PDF text");
        let pixels = first_page(&pdf);
        let near = |c: [u8; 3], want: [u8; 3]| (0..3).all(|i| c[i].abs_diff(want[i]) <= 24);
        for (what, colour) in [("covered", [0x00, 0x72, 0xB2]), ("gap", [0xD5, 0x5E, 0x00])] {
            let n = pixels.iter().filter(|p| near(**p, colour)).count();
            assert!(n > 20, "{lang}: {what} colour on page 1 ({n} pixels)");
        }
    }
}

/// The README's commands that make `docs/sample/` run as written (from the repository root)
/// and reproduce each sample folder file for file, so the pictures the README shows are the
/// tool's current output.
#[test]
fn readme_sample_commands_regenerate_docs_sample() {
    let readme = read(repo("README.md"));
    let commands: Vec<&str> = readme
        .lines()
        .filter(|l| l.starts_with("walkshed coverage") && l.contains("--out docs/sample/"))
        .collect();
    assert!(commands.len() >= 2, "README names the sample commands");
    let tmp = tempfile::tempdir().unwrap();
    for line in commands {
        let (args, folder) = line.split_once("--out docs/sample/").unwrap();
        let folder = folder.trim();
        let out = tmp.path().join(folder);
        let o = walkshed()
            .current_dir(repo(""))
            .args(args.split_whitespace().skip(1))
            .arg("--out")
            .arg(&out)
            .arg("-q")
            .output()
            .unwrap();
        assert!(
            o.status.success(),
            "{line}: {}",
            String::from_utf8_lossy(&o.stderr)
        );
        let sample = repo("docs/sample").join(folder);
        let names = |d: &Path| {
            let mut v: Vec<String> = std::fs::read_dir(d)
                .unwrap()
                .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
                .collect();
            v.sort();
            v
        };
        assert_eq!(names(&sample), names(&out), "files of docs/sample/{folder}");
        for name in names(&out) {
            assert!(
                std::fs::read(sample.join(&name)).unwrap()
                    == std::fs::read(out.join(&name)).unwrap(),
                "docs/sample/{folder}/{name} is stale: rerun the README's command"
            );
        }
    }
}

/// The `legend-context` entries of a gap map: (layer index, name).
fn context_legend(doc: &roxmltree::Document) -> Vec<(String, String)> {
    doc.descendants()
        .filter(|n| has_class(n, "legend-context"))
        .map(|p| {
            let name = p
                .next_sibling_element()
                .and_then(|t| t.text())
                .unwrap_or("")
                .to_owned();
            (p.attribute("data-context").unwrap().to_owned(), name)
        })
        .collect()
}

/// `--context`: the boundary and the canal are drawn under the blocks, inside the map panel,
/// each with its own grey stroke, and named in the legend by their features' name; the map's
/// furniture still covers no data.
#[test]
fn context_layers_lie_under_the_blocks_and_are_named_in_the_legend() {
    let dir = tempfile::tempdir().unwrap();
    let d = repo("data/shihua");
    let (boundary, canal) = (d.join("boundary.geojson"), d.join("canal.geojson"));
    let out = dir.path().join("out");
    let args = [
        "--minutes",
        "5,10,15",
        "--labels",
        "--outputs",
        "maps",
        "--context",
        boundary.to_str().unwrap(),
        "--context",
        canal.to_str().unwrap(),
    ];
    shihua(&out, &args);
    let svg = read(out.join("gaps.svg"));
    check_map(&svg);
    let doc = roxmltree::Document::parse(&svg).unwrap();
    let order: Vec<&str> = doc
        .descendants()
        .filter_map(|n| n.attribute("class"))
        .filter(|c| ["context", "blocks", "walksheds"].contains(c))
        .collect();
    assert_eq!(order.first(), Some(&"context"), "{order:?}");
    let group = doc.descendants().find(|n| has_class(n, "context")).unwrap();
    assert!(
        group
            .ancestors()
            .any(|a| a.attribute("clip-path") == Some("url(#map)")),
        "clipped to the panel"
    );
    let layers: Vec<roxmltree::Node> = group.children().filter(|n| n.is_element()).collect();
    assert_eq!(layers.len(), 2);
    assert_ne!(layers[0].attribute("stroke"), layers[1].attribute("stroke"));
    for layer in &layers {
        assert!(path_box(layer.attribute("d").unwrap()).is_some());
    }
    assert_eq!(
        context_legend(&doc),
        [
            ("0".to_owned(), "石化街道".to_owned()),
            ("1".to_owned(), "示意河道".to_owned())
        ]
    );

    // Without --context the map has no context group, and the rest is the same map.
    let bare = dir.path().join("bare");
    shihua(&bare, &args[..5]);
    let bare = read(bare.join("gaps.svg"));
    assert!(!bare.contains("class=\"context\""));
    let blocks = |s: &str| {
        s.lines()
            .filter(|l| l.starts_with("<g class=\"blocks\""))
            .count()
    };
    assert_eq!(blocks(&bare), blocks(&svg));
}

/// A context file without a shared feature name is named by its file; one of points is refused
/// with the file named; the batch key `context` is taken from the batch file's folder, and the
/// report draws the same map.
#[test]
fn context_names_come_from_the_file_and_the_batch_key_works() {
    let dir = tempfile::tempdir().unwrap();
    let d = repo("data/shihua");
    crate::common::write_collection(
        dir.path(),
        "committee-outlines.geojson",
        &[
            crate::common::square(121.33, 30.72, 0.004, serde_json::json!({"name": "A"})),
            crate::common::square(121.335, 30.72, 0.004, serde_json::json!({"name": "B"})),
        ],
    );
    let points = crate::common::write_collection(
        dir.path(),
        "points.geojson",
        &[crate::common::point(121.33, 30.72, serde_json::json!({}))],
    );
    let toml = dir.path().join("b.toml");
    let text = format!(
        "[defaults]\nstations = {:?}\nblocks = {:?}\noutputs = [\"maps\", \"report\"]\n\
         context = \"committee-outlines.geojson\"\n\n[[scenario]]\nname = \"a\"\n",
        d.join("stations.geojson"),
        d.join("blocks.geojson"),
    );
    std::fs::write(&toml, text).unwrap();
    let out = dir.path().join("out");
    let o = walkshed()
        .args([
            "batch",
            toml.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
            "-q",
        ])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let svg = read(out.join("a/gaps.svg"));
    let doc = roxmltree::Document::parse(&svg).unwrap();
    assert_eq!(
        context_legend(&doc),
        [("0".to_owned(), "committee-outlines".to_owned())]
    );
    let report = read(out.join("a/report.html"));
    assert!(
        report.contains("committee-outlines"),
        "the report's map has the layer"
    );

    let o = walkshed()
        .arg("coverage")
        .arg("--stations")
        .arg(d.join("stations.geojson"))
        .arg("--blocks")
        .arg(d.join("blocks.geojson"))
        .arg("--context")
        .arg(&points)
        .arg("--out")
        .arg(dir.path().join("refused"))
        .output()
        .unwrap();
    assert!(!o.status.success());
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("points.geojson") && err.contains("found Point"),
        "{err}"
    );
}
