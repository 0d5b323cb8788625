//! Issue 16, "what a proposal changes" and "pictures for Word and WPS": `change.svg`,
//! `change.csv` and the residents gained per group with `--add-stations`, the change maps of a
//! batch against its bases, and `--png`.

use std::path::{Path, PathBuf};

use assert_cmd::Command;

use crate::common::repo;

fn walkshed() -> Command {
    Command::cargo_bin("walkshed").expect("binary")
}

/// `walkshed coverage` on the Shihua sample (5, 10, 15 minutes, by committee) with `extra`
/// arguments into `out`; returns stdout.
fn shihua(out: &Path, extra: &[&str]) -> String {
    let d = repo("data/shihua");
    let o = walkshed()
        .arg("coverage")
        .arg("--stations")
        .arg(d.join("stations.geojson"))
        .arg("--blocks")
        .arg(d.join("blocks.geojson"))
        .args(["--minutes", "5,10,15", "--group-by", "committee"])
        .arg("--out")
        .arg(out)
        .args(extra)
        .output()
        .expect("runs");
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    String::from_utf8(o.stdout).unwrap()
}

fn read(p: PathBuf) -> String {
    std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

fn json(p: PathBuf) -> serde_json::Value {
    serde_json::from_str(&read(p)).unwrap()
}

/// Residents covered within 5 minutes, per committee, from `groups.csv`.
fn covered_by_group(dir: &Path) -> std::collections::BTreeMap<String, f64> {
    read(dir.join("groups.csv"))
        .lines()
        .skip(1)
        .map(|l| l.split(',').collect::<Vec<_>>())
        .filter(|c| c[1] == "5")
        .map(|c| (c[0].to_owned(), c[6].parse().unwrap()))
        .collect()
}

#[test]
fn added_stations_draw_the_change_and_count_residents_gained_per_group() {
    let dir = tempfile::tempdir().unwrap();
    let proposed = repo("data/shihua/proposed-stations.geojson");
    let (before, after) = (dir.path().join("before"), dir.path().join("after"));
    shihua(&before, &[]);
    assert!(!before.join("change.svg").exists() && !before.join("change.csv").exists());
    let text = shihua(&after, &["--add-stations", proposed.to_str().unwrap()]);

    // The table against two runs: per committee, gained − lost = after − before.
    let (b, a) = (covered_by_group(&before), covered_by_group(&after));
    let csv = read(after.join("change.csv"));
    let mut groups = 0;
    let mut gained_total = 0.0;
    for line in csv.lines().skip(1) {
        let c: Vec<&str> = line.split(',').collect();
        if c[0] != "5" {
            continue;
        }
        let (before_n, after_n): (f64, f64) = (c[3].parse().unwrap(), c[4].parse().unwrap());
        let (gained, lost): (f64, f64) = (c[6].parse().unwrap(), c[7].parse().unwrap());
        assert_eq!(lost, 0.0, "adding stations loses no one: {line}");
        assert!((after_n - before_n - gained).abs() < 1e-6, "{line}");
        if c[1] == "group" {
            groups += 1;
            assert!((b[c[2]] - before_n).abs() < 1e-6, "{line}");
            assert!((a[c[2]] - after_n).abs() < 1e-6, "{line}");
        } else {
            gained_total = gained;
        }
    }
    assert_eq!(groups, b.len(), "one row per committee");
    assert!(gained_total > 0.0);

    let s = json(after.join("summary.json"));
    let shares = &s["change"]["shares"];
    let share = |d: &Path| json(d.join("summary.json"))["coverage"][0]["share"].as_f64();
    assert_eq!(shares[0].as_f64(), share(&before));
    assert_eq!(shares[1].as_f64(), share(&after));
    assert!(
        text.contains("added stations, within 5 min:") && text.contains("most in 第"),
        "{text}"
    );

    // The map: one legend entry per kind present, the gained blocks as many as the table says,
    // proposed stations hollow and named, no furniture over data.
    let svg = read(after.join("change.svg"));
    let doc = roxmltree::Document::parse(&svg).unwrap();
    let kinds: Vec<&str> = doc
        .descendants()
        .filter_map(|n| n.attribute("data-change"))
        .collect();
    assert!(
        kinds.contains(&"gained") && kinds.contains(&"still_gap"),
        "{kinds:?}"
    );
    assert!(!kinds.contains(&"lost"), "nothing lost: no legend entry");
    assert!(svg.contains("proposed stations") && svg.contains("class=\"stations added\""));
    assert!(svg.contains("Proposed stations: coverage within 5 min"));
    assert!(
        svg.contains("Gained most: 第"),
        "groups that gain, in the subtitle"
    );
    let blocks_gained: usize = csv
        .lines()
        .find(|l| l.starts_with("5,total"))
        .and_then(|l| l.split(',').nth(8))
        .and_then(|v| v.parse().ok())
        .unwrap();
    let drawn = doc
        .descendants()
        .find(|n| n.attribute("data-class") == Some("0") && n.has_tag_name("g"))
        .and_then(|g| g.attribute("data-blocks"))
        .and_then(|v| v.parse::<usize>().ok());
    assert_eq!(
        drawn,
        Some(blocks_gained),
        "the gained class holds the gained blocks"
    );
    crate::maps::check_map(&svg);

    // The report: the change map and the residents gained per committee.
    let html = read(after.join("report.html"));
    assert!(html.contains("What the proposed stations change"));
    assert!(html.contains("Residents gained within 5 min, by committee, most first"));
    assert!(!read(before.join("report.html")).contains("proposed stations change"));
    assert_eq!(
        html.matches("id=\"map\"").count(),
        1,
        "one clip path per id"
    );
    assert!(html.contains("url(#change-map)"));

    // In Chinese.
    let zh = dir.path().join("zh");
    shihua(
        &zh,
        &["--add-stations", proposed.to_str().unwrap(), "--lang", "zh"],
    );
    let svg = read(zh.join("change.svg"));
    assert!(svg.contains("新增站点：5 分钟覆盖率") && svg.contains("新覆盖"));
}

#[test]
fn a_batch_maps_each_scenario_against_its_own_base() {
    let dir = tempfile::tempdir().unwrap();
    let d = repo("data/shihua");
    let toml = dir.path().join("b.toml");
    let text = read(d.join("batch.toml"))
        .replace(
            "[defaults]\n",
            "[defaults]\noutputs = \"maps,summary,report\"\nlang = \"zh\"\n",
        )
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
        )
        // A scenario that moves nothing but walks slower: a change map against "today".
        .replace(
            "[[scenario]]\nname = \"today-network\"",
            "[[scenario]]\nname = \"slow\"\nspeed = 50\n\n[[scenario]]\nname = \"today-network\"",
        );
    std::fs::write(&toml, text).unwrap();
    let out = dir.path().join("out");
    let o = walkshed()
        .args([
            "batch",
            toml.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
        ])
        .args(["--diff", "today", "-q"])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    // Adding stations: change.svg, as the same run alone writes it; no second copy.
    assert!(out.join("proposed/change.svg").is_file());
    assert!(!out.join("proposed/change-vs-today.svg").exists());
    assert!(out.join("proposed-network/change.svg").is_file());
    // Another speed: the map against the base, with blocks lost.
    let svg = read(out.join("slow/change-vs-today.svg"));
    assert!(svg.contains("slow 对比 today：5 分钟覆盖率"));
    assert!(svg.contains("data-change=\"lost\"") && !svg.contains("data-change=\"gained\""));
    assert!(!out.join("today/change.svg").exists());
    let batch = read(out.join("batch.json"));
    assert!(
        batch.contains("slow/change-vs-today.svg"),
        "in the batch's manifest"
    );

    // One report comparing the scenarios, self-contained, printable.
    let html = read(out.join("report.html"));
    assert!(
        batch.contains("\"report.html\""),
        "the report in the manifest"
    );
    assert!(!html.contains("http") && !html.contains("<script") && !html.contains("<img"));
    for text in [
        "方案比较：b.toml",
        "proposed-network",
        "today-network",
        "第06居委会",
    ] {
        assert!(html.contains(text), "{text} in the batch report");
    }
    if let Some((pages, text)) = print_pdf(&out.join("report.html"), dir.path()) {
        assert!((1..=8).contains(&pages), "{pages} pages");
        assert!(
            text.contains("方案比较") && text.contains("proposed"),
            "{text}"
        );
    }
}

/// `html` printed to PDF by headless Chromium: its page count (A4 checked) and its text;
/// `None` when chromium or poppler-utils is not installed.
fn print_pdf(html: &Path, scratch: &Path) -> Option<(usize, String)> {
    let (Some(browser), Some(_)) = (
        crate::maps::program("chromium"),
        crate::maps::program("pdftotext"),
    ) else {
        println!("skipped printing: chromium or poppler-utils not installed");
        return None;
    };
    let pdf = scratch.join("printed.pdf");
    let status = std::process::Command::new(browser)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-pdf-header-footer",
        ])
        .arg(format!("--print-to-pdf={}", pdf.display()))
        .arg(html)
        .stderr(std::process::Stdio::null())
        .status()
        .expect("chromium starts");
    assert!(pdf.is_file(), "chromium printed no PDF: {status:?}");
    let info = std::process::Command::new("pdfinfo")
        .arg(&pdf)
        .output()
        .unwrap();
    let info = String::from_utf8_lossy(&info.stdout).into_owned();
    assert!(info.contains("(A4)"), "A4 pages: {info}");
    let pages = info
        .lines()
        .find_map(|l| l.strip_prefix("Pages:"))
        .and_then(|v| v.trim().parse().ok())
        .expect("a page count");
    let text = std::process::Command::new("pdftotext")
        .arg(&pdf)
        .arg("-")
        .output()
        .unwrap();
    Some((
        pages,
        String::from_utf8_lossy(&text.stdout).replace('\n', " "),
    ))
}

/// Mean colour of each cell of a `n` × `n` grid over an RGBA or RGB image.
fn coarse(pixels: &[u8], w: usize, h: usize, step: usize, n: usize) -> Vec<[f64; 3]> {
    let mut sums: Vec<([f64; 3], f64)> = vec![([0.0; 3], 0.0); n * n];
    for y in 0..h {
        for x in 0..w {
            let p = &pixels[(y * w + x) * step..][..3];
            let cell = &mut sums[(y * n / h) * n + x * n / w];
            for (sum, v) in cell.0.iter_mut().zip(p) {
                *sum += *v as f64;
            }
            cell.1 += 1.0;
        }
    }
    sums.iter()
        .map(|(s, k)| std::array::from_fn(|i| s[i] / k.max(1.0_f64)))
        .collect()
}

fn decode(path: &Path) -> (Vec<u8>, usize, usize, usize) {
    let file = std::fs::File::open(path).unwrap();
    let mut reader = png::Decoder::new(std::io::BufReader::new(file))
        .read_info()
        .unwrap();
    let mut buf = vec![0; reader.output_buffer_size().unwrap()];
    let info = reader.next_frame(&mut buf).unwrap();
    buf.truncate(info.buffer_size());
    (
        buf,
        info.width as usize,
        info.height as usize,
        info.color_type.samples(),
    )
}

/// The `width` and `height` of an SVG's root, pixels.
fn svg_size(svg: &str) -> (f64, f64) {
    let doc = roxmltree::Document::parse(svg).unwrap();
    let root = doc.root_element();
    let v = |a| {
        root.attribute(a)
            .and_then(|v: &str| v.parse().ok())
            .unwrap()
    };
    (v("width"), v("height"))
}

#[test]
fn png_copies_are_twice_the_size_and_look_like_the_svg() {
    let dir = tempfile::tempdir().unwrap();
    let proposed = repo("data/shihua/proposed-stations.geojson");
    let out = dir.path().join("out");
    shihua(
        &out,
        &[
            "--add-stations",
            proposed.to_str().unwrap(),
            "--png",
            "--lang",
            "zh",
            "--outputs",
            "maps",
        ],
    );
    for name in ["gaps", "curve", "groups", "change"] {
        let svg = read(out.join(format!("{name}.svg")));
        let (w, h) = svg_size(&svg);
        let (pixels, pw, ph, step) = decode(&out.join(format!("{name}.png")));
        assert_eq!(
            (pw, ph),
            ((w * 2.0).ceil() as usize, (h * 2.0).ceil() as usize),
            "{name}"
        );
        let mut colours: Vec<[u8; 3]> = pixels.chunks(step).map(|p| [p[0], p[1], p[2]]).collect();
        colours.sort_unstable();
        colours.dedup();
        assert!(
            colours.len() > 50,
            "{name}: not blank ({} colours)",
            colours.len()
        );
    }
    // The gap map's covered blue and gap vermilion are there.
    let (pixels, _, _, step) = decode(&out.join("gaps.png"));
    let near = |p: &[u8], c: [u8; 3]| (0..3).all(|i| p[i].abs_diff(c[i]) <= 10);
    for c in [[0x00, 0x72, 0xB2], [0xD5, 0x5E, 0x00]] {
        let n = pixels.chunks(step).filter(|p| near(p, c)).count();
        assert!(n > 1000, "{c:?}: {n} pixels");
    }
    // Against Chromium's picture of the same SVG, cell by cell on a 12 × 12 grid.
    let Some(chromium) = crate::maps::program("chromium") else {
        println!("skipped the comparison with Chromium: not installed");
        return;
    };
    for name in ["gaps", "change"] {
        let svg_path = out.join(format!("{name}.svg"));
        let (w, h) = svg_size(&read(svg_path.clone()));
        let shot = dir.path().join(format!("{name}-chromium.png"));
        let html = dir.path().join(format!("{name}.html"));
        // The SVG at 2× in a page without margins, so the screenshot matches the PNG.
        std::fs::write(
            &html,
            format!(
                "<!doctype html><body style=\"margin:0\"><img src=\"{}\" width=\"{}\" height=\"{}\"></body>",
                svg_path.display(),
                w * 2.0,
                h * 2.0
            ),
        )
        .unwrap();
        let status = std::process::Command::new(&chromium)
            .args([
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--hide-scrollbars",
                "--allow-file-access-from-files",
            ])
            .arg(format!("--screenshot={}", shot.display()))
            .arg(format!(
                "--window-size={},{}",
                (w * 2.0).ceil(),
                (h * 2.0).ceil()
            ))
            .arg(&html)
            .stderr(std::process::Stdio::null())
            .status()
            .expect("chromium starts");
        assert!(shot.is_file(), "no screenshot: {status:?}");
        let (a, aw, ah, astep) = decode(&out.join(format!("{name}.png")));
        let (b, bw, bh, bstep) = decode(&shot);
        let (ca, cb) = (coarse(&a, aw, ah, astep, 12), coarse(&b, bw, bh, bstep, 12));
        let worst = ca
            .iter()
            .zip(&cb)
            .map(|(x, y)| (0..3).map(|i| (x[i] - y[i]).abs()).fold(0.0, f64::max))
            .fold(0.0, f64::max);
        assert!(
            worst < 24.0,
            "{name}: a cell differs by {worst:.1} levels from Chromium's"
        );
    }
}
