//! Maps and charts: well-formed SVG with the expected content for a hand-made case, both
//! languages, determinism, label collision, network mode, the size bound at 100,000 blocks, and
//! a real browser (Chromium, when installed) for colours and Chinese glyphs.

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::json;

use walkshed::{
    analyse, gaps_svg, run, Block, BlockFields, BlockSet, GapMap, Job, Lang, MapOptions,
    NetworkReport, Outputs, Params, Reach, Station, StraightLine, DEFAULT_ATTRIBUTION, FONT_FAMILY,
    GAP_COLOUR, OFF_NETWORK_COLOUR,
};

use crate::common::{point, square, write_collection};

const LON: f64 = 121.33;
/// The version the gap maps drawn here credit.
const VERSION: &str = env!("CARGO_PKG_VERSION");
const LAT: f64 = 30.72;
/// Degrees of longitude per metre at 30.72° N (≈ 1 / 95,770).
const DEG_PER_M: f64 = 1.0 / 95_770.0;

/// The hand-made case: a centre and a service point; blocks A (≈ 100 m, within 5 min), B
/// (≈ 460 m, 5–10 min), C (≈ 1,150 m, beyond 10 min: a gap), and D, a point block at ≈ 50 m.
fn hand_made(dir: &Path, lang: Lang, labels: bool) -> Job {
    let stations = write_collection(
        dir,
        "stations.geojson",
        &[
            point(
                LON,
                LAT,
                json!({"id": "s1", "name": "石化街道 <中心> & Co", "level": "center"}),
            ),
            point(
                LON,
                LAT + 0.0001,
                json!({"id": "s2", "name": "服务点", "level": "point"}),
            ),
        ],
    );
    let side = 0.0012;
    let blocks = write_collection(
        dir,
        "blocks.geojson",
        &[
            square(
                LON + 100.0 * DEG_PER_M,
                LAT - 0.002,
                side,
                json!({"id": "A", "population": 100, "street": "东区 A&B"}),
            ),
            square(
                LON + 460.0 * DEG_PER_M,
                LAT,
                side,
                json!({"id": "B", "population": 200, "street": "东区 A&B"}),
            ),
            square(
                LON + 1150.0 * DEG_PER_M,
                LAT,
                side,
                json!({"id": "C", "population": 300, "street": "<west>"}),
            ),
            point(
                LON - 50.0 * DEG_PER_M,
                LAT,
                json!({"id": "D", "population": 50}),
            ),
        ],
    );
    Job {
        stations,
        add_stations: Vec::new(),
        blocks,
        network: None,
        fields: BlockFields {
            group_by: Some("street".into()),
            ..BlockFields::default()
        },
        params: Params::builder()
            .minutes(&[5.0, 10.0])
            .build()
            .expect("valid parameters"),
        out_dir: dir.join("out"),
        outputs: Outputs::default(),
        map: MapOptions {
            labels,
            lang,
            ..MapOptions::default()
        },
        strict: false,
        input: Default::default(),
        circle: Default::default(),
    }
}

fn read(path: PathBuf) -> String {
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Runs a job and returns its three SVGs.
fn svgs(job: &Job) -> (String, String, String) {
    run(job, &mut |_| {}).expect("the job runs");
    let out = &job.out_dir;
    (
        read(out.join("gaps.svg")),
        read(out.join("curve.svg")),
        read(out.join("groups.svg")),
    )
}

fn parse(svg: &str) -> roxmltree::Document<'_> {
    roxmltree::Document::parse(svg).unwrap_or_else(|e| panic!("not well-formed XML: {e}"))
}

/// All text content of `<text>` elements.
fn texts(doc: &roxmltree::Document) -> Vec<String> {
    doc.descendants()
        .filter(|n| n.has_tag_name("text"))
        .map(|n| {
            n.descendants()
                .filter(|t| t.is_text())
                .filter_map(|t| t.text())
                .collect::<String>()
                .trim()
                .to_owned()
        })
        .collect()
}

fn has_class(n: &roxmltree::Node, class: &str) -> bool {
    n.attribute("class")
        .is_some_and(|c| c.split(' ').any(|x| x == class))
}

/// `data-blocks` of each class group, by class.
fn blocks_per_class(doc: &roxmltree::Document) -> Vec<(usize, usize, String)> {
    doc.descendants()
        .filter(|n| n.has_tag_name("g") && has_class(n, "blocks"))
        .map(|n| {
            let class = n
                .attribute("data-class")
                .and_then(|v| v.parse().ok())
                .expect("data-class");
            let count = n
                .attribute("data-blocks")
                .and_then(|v| v.parse().ok())
                .expect("data-blocks");
            (class, count, n.attribute("fill").unwrap_or("").to_owned())
        })
        .collect()
}

#[test]
fn hand_made_case_has_every_class_legend_and_mark() {
    let dir = tempfile::tempdir().expect("temp dir");
    let (gaps, curve, groups) = svgs(&hand_made(dir.path(), Lang::En, true));

    let doc = parse(&gaps);
    // A and D within 5 min, B within 10, C a gap; colours from the palette.
    let classes = blocks_per_class(&doc);
    assert_eq!(
        classes.iter().map(|(c, n, _)| (*c, *n)).collect::<Vec<_>>(),
        [(0, 2), (1, 1), (2, 1)]
    );
    assert_eq!(classes[2].2, GAP_COLOUR);
    let legend: Vec<_> = doc
        .descendants()
        .filter(|n| has_class(n, "legend-item"))
        .collect();
    assert_eq!(
        legend.len(),
        3,
        "three classes, no off-network class in straight-line mode"
    );
    let t = texts(&doc);
    for want in [
        "5-minute walking coverage: 23.1 % of residents",
        "≤ 5 min (300 m)",
        "5–10 min (gap)",
        "> 10 min (gap)",
        "150 residents · 23.1 %",
        "200 residents · 30.8 %",
        "300 residents · 46.2 %",
        "5-minute straight-line reach (r = 300 m)",
        "centre",
        "service point",
        DEFAULT_ATTRIBUTION,
    ] {
        assert!(t.iter().any(|x| x == want), "no text {want:?} in {t:?}");
    }
    // Data names render as they are (escaped in the file, intact once parsed).
    assert!(
        t.iter().any(|x| x == "石化街道 <中心> & Co"),
        "station label missing: {t:?}"
    );
    assert!(gaps.contains("石化街道 &lt;中心&gt; &amp; Co"));
    // Stations by level, walkshed circles, scale bar, north arrow, CJK font list.
    let levels: Vec<_> = doc
        .descendants()
        .filter_map(|n| n.attribute("data-level"))
        .collect();
    assert_eq!(levels, ["point", "center"]);
    assert!(doc.descendants().any(|n| has_class(&n, "walksheds")));
    assert!(doc.descendants().any(|n| has_class(&n, "scale-bar")));
    assert!(doc.descendants().any(|n| has_class(&n, "north-arrow")));
    assert_eq!(
        doc.root_element().attribute("font-family"),
        Some(FONT_FAMILY)
    );

    // The curve: threshold marks with their shares, axes labelled.
    let t = texts(&parse(&curve));
    for want in [
        "5 min: 23.1 %",
        "10 min: 53.8 %",
        "walking time to the nearest station (min)",
        "share of residents reached (%)",
    ] {
        assert!(
            t.iter().any(|x| x == want),
            "no text {want:?} in curve {t:?}"
        );
    }
    assert!(curve.contains("Noto Sans CJK SC"));

    // The groups: worst first, names escaped, the overall line labelled.
    let t = texts(&parse(&groups));
    let names: Vec<_> = t
        .iter()
        .filter(|x| ["<west>", "东区 A&B", "(no value)"].contains(&x.as_str()))
        .collect();
    assert_eq!(names, ["<west>", "东区 A&B", "(no value)"], "{t:?}");
    assert!(t.iter().any(|x| x == "overall 23.1 %"), "{t:?}");
}

#[test]
fn chinese_labels_and_determinism() {
    let dir = tempfile::tempdir().expect("temp dir");
    let job = hand_made(dir.path(), Lang::Zh, true);
    let first = svgs(&job);
    let t = texts(&parse(&first.0));
    for want in [
        "五分钟步行覆盖率：23.1%（按居民人口）",
        "> 10 分钟（缺口）",
        "150 人 · 23.1%",
        "中心",
        "北",
    ] {
        assert!(t.iter().any(|x| x == want), "no text {want:?} in {t:?}");
    }
    let t = texts(&parse(&first.1));
    assert!(
        t.iter().any(|x| x == "到最近站点的步行时间（分钟）"),
        "{t:?}"
    );
    let t = texts(&parse(&first.2));
    assert!(t.iter().any(|x| x == "（无值）"), "{t:?}");
    // Same inputs, byte-identical maps.
    let again = svgs(&job);
    assert!(first == again, "maps differ between runs");
}

#[test]
fn overlapping_labels_are_skipped() {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut job = hand_made(dir.path(), Lang::En, true);
    let crowd: Vec<String> = (0..12)
        .map(|i| point(LON, LAT, json!({"id": format!("c{i}"), "name": format!("Station number {i}"), "level": "station"})))
        .collect();
    job.stations = write_collection(dir.path(), "crowd.geojson", &crowd);
    let (gaps, _, _) = svgs(&job);
    let doc = parse(&gaps);
    let labels = doc
        .descendants()
        .find(|n| has_class(n, "labels"))
        .map(|g| g.children().filter(|c| c.has_tag_name("text")).count())
        .expect("a labels group");
    assert!(
        (1..=4).contains(&labels),
        "{labels} labels for 12 stations on one spot"
    );
}

/// A straight-line analysis of `blocks` (with square outlines of `side` metres) around one
/// station, for calling the renderer directly.
fn analysis_of(anchors: &[[f64; 2]], side_m: f64) -> (walkshed::Analysis, BlockSet) {
    let h = side_m / 2.0 * DEG_PER_M;
    let blocks: Vec<Block> = anchors
        .iter()
        .enumerate()
        .map(|(i, a)| Block {
            id: i.to_string().into(),
            anchor: *a,
            population: 1.0 + (i % 7) as f64,
            group: None,
            problem: None,
        })
        .collect();
    let outlines = anchors
        .iter()
        .map(|a| {
            vec![vec![
                [a[0] - h, a[1] - h],
                [a[0] + h, a[1] - h],
                [a[0] + h, a[1] + h],
                [a[0] - h, a[1] + h],
                [a[0] - h, a[1] - h],
            ]]
        })
        .collect();
    let set = BlockSet::builder("blocks.geojson")
        .outlines(outlines)
        .build(blocks);
    let stations: Vec<Station> = (0..25)
        .map(|k| Station {
            id: format!("s{k}"),
            name: Some(format!("站 {k}")),
            level: Some("station".into()),
            entrances: vec![[LON + (k % 5) as f64 * 0.02, LAT + (k / 5) as f64 * 0.02]],
            from_area: false,
        })
        .collect();
    let params = Params::builder()
        .minutes(&[5.0, 10.0, 15.0])
        .detour(1.2)
        .build()
        .expect("valid");
    let analysis = analyse(&stations, &set, &StraightLine { detour: 1.2 }, &params);
    (analysis, set)
}

/// 100,000 square blocks on a grid `cols` wide, `pitch_m` apart.
fn grid(cols: usize, pitch_m: f64) -> Vec<[f64; 2]> {
    (0..100_000)
        .map(|i| {
            let (c, r) = ((i % cols) as f64, (i / cols) as f64);
            [
                LON + c * pitch_m * DEG_PER_M,
                LAT + r * pitch_m * DEG_PER_M * 0.86,
            ]
        })
        .collect()
}

/// The size bound stated in the README: the gap map of 100,000 blocks stays under 4 MB and a
/// handful of `<path>` elements, whether the blocks are polygons a few pixels wide (the worst
/// case) or so dense that most become dots.
#[test]
fn gap_map_of_100k_blocks_stays_small() {
    const BOUND: usize = 4 << 20;
    let options = MapOptions {
        labels: true,
        ..MapOptions::default()
    };
    for (cols, pitch_m, side_m) in [(316, 30.0, 24.0), (316, 8.0, 5.0)] {
        let (analysis, set) = analysis_of(&grid(cols, pitch_m), side_m);
        let svg = gaps_svg(&GapMap::new(&analysis, &set, VERSION), &options);
        let doc = parse(&svg);
        let paths = doc.descendants().filter(|n| n.has_tag_name("path")).count();
        let drawn: usize = blocks_per_class(&doc).iter().map(|(_, n, _)| n).sum();
        eprintln!(
            "100k blocks, pitch {pitch_m} m: {} bytes, {paths} paths",
            svg.len()
        );
        assert_eq!(drawn, 100_000);
        assert!(svg.len() <= BOUND, "{} bytes > {BOUND}", svg.len());
        assert!(paths < 40, "{paths} path elements");
    }
}

#[test]
fn network_mode_draws_streets_and_off_network_blocks() {
    let (mut analysis, set) =
        analysis_of(&[[LON, LAT], [LON + 0.003, LAT], [LON + 0.02, LAT]], 40.0);
    let m = &mut analysis.measurement;
    m.blocks[2].reach = Reach::OffNetwork;
    m.blocks[2].distance_m = None;
    let [x, y] = analysis.projection.forward(LON, LAT);
    m.network = Some(NetworkReport {
        edges_reached: vec![
            ([[x, y], [x + 200.0, y]], [Some(0.0), Some(200.0)]),
            ([[x + 200.0, y], [x + 500.0, y]], [Some(200.0), Some(500.0)]),
            (
                [[x + 500.0, y], [x + 900.0, y + 300.0]],
                [Some(500.0), None],
            ),
        ],
        ..NetworkReport::default()
    });
    analysis.model = "network";
    let svg = gaps_svg(
        &GapMap::new(&analysis, &set, VERSION),
        &MapOptions::default(),
    );
    let doc = parse(&svg);
    let streets = doc
        .descendants()
        .find(|n| has_class(n, "streets"))
        .expect("a streets group");
    let kinds: Vec<_> = streets
        .children()
        .filter_map(|p| p.attribute("data-streets"))
        .collect();
    assert_eq!(
        kinds,
        ["beyond", "within-last", "within-first"],
        "the edge reached from one end only beyond, the 300–500 m edge within 10 min, the \
         first within 5 min"
    );
    // Every kind of street drawn has a legend entry (defect 6).
    let legend: Vec<_> = doc
        .descendants()
        .filter(|n| has_class(n, "legend-streets"))
        .filter_map(|n| n.attribute("data-streets"))
        .collect();
    assert_eq!(legend, ["within-first", "within-last", "beyond"]);
    assert!(texts(&doc).iter().any(|t| t == "streets within 5 min"));
    assert!(
        !doc.descendants().any(|n| has_class(&n, "walksheds")),
        "no circles in network mode"
    );
    let off = blocks_per_class(&doc)
        .into_iter()
        .find(|(c, _, _)| *c == 4)
        .expect("an off-network class");
    assert_eq!((off.1, off.2.as_str()), (1, OFF_NETWORK_COLOUR));
    assert!(texts(&doc)
        .iter()
        .any(|t| t == "off the network (> 200 m away)"));
}

// ---- in a real browser ----

fn chromium() -> Option<PathBuf> {
    let on_path = std::env::var_os("PATH")
        .map(|p| {
            std::env::split_paths(&p)
                .map(|d| d.join("chromium"))
                .collect::<Vec<_>>()
        })
        .unwrap_or_default();
    std::iter::once(PathBuf::from("/usr/bin/chromium"))
        .chain(on_path)
        .find(|p| p.is_file())
}

/// Renders `svg` (a file) headless to a PNG of `w` × `h` and returns RGB rows.
fn screenshot(browser: &Path, svg: &Path, w: u32, h: u32) -> (u32, u32, Vec<u8>) {
    let profile = tempfile::tempdir().expect("temp dir");
    let png = profile.path().join("out.png");
    let status = Command::new(browser)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--hide-scrollbars",
            "--force-device-scale-factor=1",
        ])
        .arg(format!(
            "--user-data-dir={}",
            profile.path().join("profile").display()
        ))
        .arg(format!("--screenshot={}", png.display()))
        .arg(format!("--window-size={w},{h}"))
        .arg(format!("file://{}", svg.display()))
        .output()
        .expect("chromium starts");
    assert!(png.is_file(), "chromium wrote no screenshot: {status:?}");
    let mut decoder = png::Decoder::new(std::io::BufReader::new(
        std::fs::File::open(&png).expect("png"),
    ));
    decoder.set_transformations(png::Transformations::EXPAND | png::Transformations::STRIP_16);
    let mut reader = decoder.read_info().expect("png header");
    let mut buf = vec![0; reader.output_buffer_size().expect("png size")];
    let info = reader.next_frame(&mut buf).expect("png data");
    let channels = info.color_type.samples();
    let rgb = buf[..info.buffer_size()]
        .chunks(channels)
        .flat_map(|p| [p[0], p[1], p[2]])
        .collect();
    (info.width, info.height, rgb)
}

fn pixel(img: &(u32, u32, Vec<u8>), x: f64, y: f64) -> [u8; 3] {
    let (w, _, rgb) = img;
    let i = 3 * (y as usize * *w as usize + x as usize);
    [rgb[i], rgb[i + 1], rgb[i + 2]]
}

fn hex(c: &str) -> [u8; 3] {
    let v = u32::from_str_radix(c.trim_start_matches('#'), 16).expect("hex colour");
    [(v >> 16) as u8, (v >> 8) as u8, v as u8]
}

fn close(a: [u8; 3], b: [u8; 3]) -> bool {
    a.iter().zip(b).all(|(x, y)| x.abs_diff(y) <= 6)
}

/// Centre of the bounding box of the first subpath of a path made of `M x y l dx dy … z`.
fn first_ring_centre(d: &str) -> [f64; 2] {
    let ring = d.split('z').next().unwrap_or("");
    let mut nums = Vec::new();
    let mut cur = String::new();
    for c in ring.chars() {
        if c == '-' || !(c.is_ascii_digit() || c == '.') {
            if !cur.is_empty() {
                nums.push(cur.parse::<f64>().expect("number"));
            }
            cur.clear();
        }
        if c == '-' || c.is_ascii_digit() || c == '.' {
            cur.push(c);
        }
    }
    if !cur.is_empty() {
        nums.push(cur.parse::<f64>().expect("number"));
    }
    let (mut x, mut y) = (nums[0], nums[1]);
    let (mut lo, mut hi) = ([x, y], [x, y]);
    for v in nums[2..].chunks(2) {
        x += v[0];
        y += v[1];
        lo = [lo[0].min(x), lo[1].min(y)];
        hi = [hi[0].max(x), hi[1].max(y)];
    }
    [(lo[0] + hi[0]) / 2.0, (lo[1] + hi[1]) / 2.0]
}

fn size_of(doc: &roxmltree::Document) -> (u32, u32) {
    let root = doc.root_element();
    let get = |a| {
        root.attribute(a)
            .and_then(|v: &str| v.parse().ok())
            .expect("svg size")
    };
    (get("width"), get("height"))
}

/// Dark pixels in an image.
fn ink(img: &(u32, u32, Vec<u8>)) -> usize {
    img.2
        .chunks(3)
        .filter(|p| p.iter().all(|&c| c < 128))
        .count()
}

#[test]
fn browser_shows_gap_colours_and_chinese_glyphs() {
    let Some(browser) = chromium() else {
        println!("skipped: chromium not installed");
        return;
    };
    let dir = tempfile::tempdir().expect("temp dir");
    let job = hand_made(dir.path(), Lang::Zh, false);
    let (gaps, _, _) = svgs(&job);
    let doc = parse(&gaps);
    let (w, h) = size_of(&doc);
    let img = screenshot(&browser, &job.out_dir.join("gaps.svg"), w, h);
    assert_eq!((img.0, img.1), (w, h));
    // A covered block (class 0) and the uncovered one (class 2) show their colours.
    for class in ["0", "2"] {
        let g = doc
            .descendants()
            .find(|n| has_class(n, "blocks") && n.attribute("data-class") == Some(class))
            .expect("class group");
        let d = g
            .children()
            .find_map(|p| {
                p.attribute("d")
                    .filter(|_| p.attribute("fill-rule").is_some())
            })
            .expect("a polygon path");
        let [x, y] = first_ring_centre(d);
        let want = hex(g.attribute("fill").expect("fill"));
        let got = pixel(&img, x, y);
        assert!(
            close(got, want),
            "class {class} at ({x}, {y}): {got:?}, want {want:?}"
        );
    }

    // Chinese glyphs, not boxes: the title's Chinese characters against as many characters that
    // no font has (U+10FFFF), which every browser draws as the same missing-glyph box.
    let title: String = doc
        .descendants()
        .find(|n| has_class(n, "title"))
        .and_then(|n| n.text())
        .expect("title")
        .chars()
        .filter(|c| ('\u{4E00}'..='\u{9FFF}').contains(c))
        .collect();
    assert!(title.chars().count() >= 6, "{title}");
    let render_text = |s: &str, name: &str| {
        let path = dir.path().join(name);
        let svg = format!(
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"640\" height=\"80\"><rect width=\"640\" height=\"80\" fill=\"#fff\"/><text x=\"10\" y=\"56\" font-size=\"40\" font-family=\"{}\">{}</text></svg>",
            xml_escape(FONT_FAMILY),
            xml_escape(s)
        );
        std::fs::write(&path, svg).expect("write svg");
        screenshot(&browser, &path, 640, 80)
    };
    let glyphs = render_text(&title, "glyphs.svg");
    let boxes = render_text(&"\u{10FFFF}".repeat(title.chars().count()), "boxes.svg");
    assert!(
        ink(&glyphs) > 500,
        "Chinese title drew almost nothing ({} dark pixels)",
        ink(&glyphs)
    );
    assert!(
        glyphs.2 != boxes.2,
        "Chinese title rendered as missing-glyph boxes: install a CJK font (fonts-noto-cjk)"
    );
}

#[test]
fn kept_outlines_are_the_input_rings_to_a_millimetre() {
    // data/shihua/blocks.geojson: real residential areas, Polygons and MultiPolygons.
    let path = crate::common::repo("data/shihua/blocks.geojson");
    let fields = BlockFields {
        keep_outlines: true,
        ..BlockFields::default()
    };
    let set = walkshed::read_blocks(&path, &fields).unwrap();
    let doc: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    let features = doc["features"].as_array().unwrap();
    assert_eq!(features.len(), set.blocks().len());
    let (mut points, mut worst) = (0, 0.0f64);
    for (i, f) in features.iter().enumerate() {
        let g = &f["geometry"];
        let polygons: Vec<&serde_json::Value> = match g["type"].as_str().unwrap() {
            "Polygon" => vec![&g["coordinates"]],
            "MultiPolygon" => g["coordinates"].as_array().unwrap().iter().collect(),
            _ => Vec::new(),
        };
        let input: Vec<Vec<[f64; 2]>> = polygons
            .iter()
            .flat_map(|p| p.as_array().unwrap())
            .map(|ring| {
                let pts = ring.as_array().unwrap().iter();
                pts.map(|c| [c[0].as_f64().unwrap(), c[1].as_f64().unwrap()])
                    .collect()
            })
            .collect();
        let kept: Vec<Vec<[f64; 2]>> = set.outline(i).unwrap().map(Iterator::collect).collect();
        assert_eq!(kept.len(), input.len(), "block {i}: rings");
        for (k, a) in kept.iter().zip(&input) {
            assert_eq!(k.len(), a.len(), "block {i}: points");
            for (p, q) in k.iter().zip(a) {
                // Degrees to metres, roughly: 111 km a degree.
                let off = (p[0] - q[0]).abs().max((p[1] - q[1]).abs()) * 111e3;
                worst = worst.max(off);
                points += 1;
            }
        }
    }
    assert!(points > 1000, "{points} points");
    assert!(worst < 1e-3, "an outline point is {worst} m off");
    // Without keep_outlines, none are kept.
    let bare = walkshed::read_blocks(&path, &BlockFields::default()).unwrap();
    assert!(!bare.has_outlines() && bare.outline(0).is_none());
}

/// `s` as XML text or attribute value.
fn xml_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&apos;")
}
