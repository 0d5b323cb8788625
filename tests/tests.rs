//! walkshed's integration tests, in one test binary. Fixtures are built in the tests or read
//! from `data/` (see `data/README.md` for provenance).

mod area;
mod batch;
mod circle;
mod cli;
mod common;
mod coverage;
mod determinism;
mod formats;
mod index_oracles;
mod maps;
mod network;
mod perf_paths;
mod projection;
mod proposals;
mod publish;
mod render;
mod robust;
mod suggest;
mod tiles;
