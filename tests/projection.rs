//! The metric plane: distances in the local transverse Mercator plane against geodesic
//! distances.

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use walkshed::Projection;

#[test]
fn plane_distance_is_within_0_05_percent_of_geodesic_up_to_100_km() {
    use geo::{Distance, Geodesic, Point};
    let mut rng = StdRng::seed_from_u64(7);
    let mut worst: f64 = 0.0;
    for _ in 0..2000 {
        // A study area up to 100 km across, anywhere from the equator to 70° N/S.
        let lat0 = rng.gen_range(-70.0..70.0);
        let lon0 = rng.gen_range(-179.0..179.0);
        let span_lat = 100_000.0 / 111_000.0;
        let span_lon = span_lat / f64::cos(f64::to_radians(lat0)).max(0.3);
        let pick = |rng: &mut StdRng| {
            [
                lon0 + rng.gen_range(-0.5..0.5) * span_lon,
                lat0 + rng.gen_range(-0.5..0.5) * span_lat,
            ]
        };
        let (a, b) = (pick(&mut rng), pick(&mut rng));
        let geodesic = Geodesic.distance(Point::new(a[0], a[1]), Point::new(b[0], b[1]));
        if !(1.0..=100_000.0).contains(&geodesic) {
            continue;
        }
        let p = Projection::centred_on(lon0, lat0);
        let (pa, pb) = (p.forward(a[0], a[1]), p.forward(b[0], b[1]));
        let plane = (pa[0] - pb[0]).hypot(pa[1] - pb[1]);
        worst = worst.max((plane - geodesic).abs() / geodesic);
    }
    assert!(worst < 0.0005, "worst relative error {worst}");
}
