//! Loading a batch's inputs once: every station, blocks and network file is read and parsed
//! once however many scenarios use it, and every network graph is built once per pair of network
//! and blocks file (the graph lives in the blocks' metric plane, see [`crate::projection_for`]).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde::Serialize;

use crate::load::{self, BlockFields, BlockSet, StationSet};
use crate::network::{Network, WalkLine};
use crate::projection_for;
use crate::run::Loaded;

use super::file::Scenario;

/// How much loading a batch did: the proof that shared inputs are read once.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct LoadCounts {
    /// Input files read and parsed, all kinds together.
    pub files_read: usize,
    /// Station files read (base and added).
    pub station_files: usize,
    /// Blocks files read (once per file and population/grouping fields).
    pub block_files: usize,
    /// Network files read.
    pub network_files: usize,
    /// Network graphs built (once per network file and blocks file).
    pub networks_built: usize,
}

/// What is being loaded, for progress displays.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LoadStep<'a> {
    /// Reading a station file.
    Stations(&'a Path),
    /// Reading a blocks file.
    Blocks(&'a Path),
    /// Reading a network file.
    Network(&'a Path),
    /// Building the graph of a network file in the plane of a blocks file.
    Graph(&'a Path),
}

/// A file's identity: its canonical path, or the path as given when it cannot be resolved (its
/// reading then fails with the operating system's message).
fn identity(path: &Path) -> PathBuf {
    std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf())
}

/// Blocks are read once per file and fields that change what is read.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct BlocksKey {
    file: PathBuf,
    /// How the file is read ([`crate::load::InputOptions`], as text).
    input: String,
    population: String,
    group_by: Option<String>,
}

fn blocks_key(s: &Scenario) -> BlocksKey {
    BlocksKey {
        file: identity(&s.job.blocks),
        input: format!("{:?}", s.job.input.blocks),
        population: s.job.fields.population.clone(),
        group_by: s.job.fields.group_by.clone(),
    }
}

/// Stations are read once per file and way of reading it ([`crate::load::InputOptions`], as
/// text).
type StationsKey = (PathBuf, String);

fn stations_key(s: &Scenario, file: &Path) -> StationsKey {
    (identity(file), format!("{:?}", s.job.input.stations))
}

type Loadable<T> = Result<Arc<T>, String>;

/// The loaded inputs of a batch, and how each scenario's inputs resolve.
#[derive(Debug)]
pub(super) struct Cache {
    /// Per scenario (batch order): its loaded inputs, or why they could not be loaded.
    pub loaded: Vec<Result<Loaded, String>>,
    /// The counts.
    pub counts: LoadCounts,
}

/// Everything loading will do, in a stable order (first use in the batch).
struct Plan {
    stations: Vec<(StationsKey, PathBuf)>,
    blocks: Vec<(BlocksKey, PathBuf, bool)>,
    networks: Vec<(PathBuf, PathBuf)>,
    graphs: Vec<(PathBuf, PathBuf)>,
}

fn push_once<K: PartialEq, V>(list: &mut Vec<(K, V)>, key: K, value: V) {
    if !list.iter().any(|(k, _)| *k == key) {
        list.push((key, value));
    }
}

fn plan(scenarios: &[Scenario]) -> Plan {
    let mut p = Plan {
        stations: Vec::new(),
        blocks: Vec::new(),
        networks: Vec::new(),
        graphs: Vec::new(),
    };
    for s in scenarios {
        for file in std::iter::once(&s.job.stations).chain(&s.job.add_stations) {
            push_once(&mut p.stations, stations_key(s, file), file.clone());
        }
        let key = blocks_key(s);
        match p.blocks.iter_mut().find(|(k, _, _)| *k == key) {
            // Outlines are kept when any scenario reading these blocks draws maps.
            Some(entry) => entry.2 |= s.job.outputs.maps || s.job.outputs.report,
            None => p.blocks.push((
                key,
                s.job.blocks.clone(),
                s.job.outputs.maps || s.job.outputs.report,
            )),
        }
        if let Some(net) = &s.job.network {
            push_once(&mut p.networks, identity(net), net.clone());
            let graph = (identity(net), identity(&s.job.blocks));
            if !p.graphs.contains(&graph) {
                p.graphs.push(graph);
            }
        }
    }
    p
}

/// A planned input from its map.
fn get<K: Ord, T>(map: &BTreeMap<K, Loadable<T>>, key: &K) -> Loadable<T> {
    map.get(key)
        .cloned()
        .unwrap_or_else(|| Err("internal error: an input was not planned".to_owned()))
}

impl Cache {
    /// The number of load steps [`Cache::load`] will announce.
    pub fn steps(scenarios: &[Scenario]) -> usize {
        let p = plan(scenarios);
        p.stations.len() + p.blocks.len() + p.networks.len() + p.graphs.len()
    }

    /// Loads every distinct input of `scenarios` once, announcing each step.
    pub fn load(scenarios: &[Scenario], progress: &mut dyn FnMut(LoadStep<'_>)) -> Cache {
        let p = plan(scenarios);
        let mut counts = LoadCounts::default();
        let mut stations: BTreeMap<StationsKey, Loadable<StationSet>> = BTreeMap::new();
        for (id, file) in &p.stations {
            progress(LoadStep::Stations(file));
            counts.station_files += 1;
            let input = scenarios
                .iter()
                .find(|s| stations_key(s, file) == *id)
                .map(|s| s.job.input.stations.clone())
                .unwrap_or_default();
            let set = load::read_stations_from(file, &input)
                .map(Arc::new)
                .map_err(|e| e.with_causes());
            stations.insert(id.clone(), set);
        }
        let mut blocks: BTreeMap<BlocksKey, Loadable<BlockSet>> = BTreeMap::new();
        for (key, file, keep_outlines) in &p.blocks {
            progress(LoadStep::Blocks(file));
            counts.block_files += 1;
            let fields = BlockFields {
                population: key.population.clone(),
                group_by: key.group_by.clone(),
                keep_outlines: *keep_outlines,
            };
            let input = scenarios
                .iter()
                .find(|s| blocks_key(s).input == key.input)
                .map(|s| s.job.input.blocks.clone())
                .unwrap_or_default();
            let set = load::read_blocks_from(file, &fields, &input)
                .and_then(|set| crate::checks::extent(&set).map(|()| set))
                .map(Arc::new)
                .map_err(|e| e.with_causes());
            blocks.insert(key.clone(), set);
        }
        let mut lines: BTreeMap<PathBuf, Loadable<Vec<WalkLine>>> = BTreeMap::new();
        for (id, file) in &p.networks {
            progress(LoadStep::Network(file));
            counts.network_files += 1;
            let read = load::read_network(file)
                .map(Arc::new)
                .map_err(|e| e.with_causes());
            lines.insert(id.clone(), read);
        }
        // A graph is built in the plane of its blocks file; any fields of that file give the
        // same anchors, so the first successfully read set serves.
        let mut graphs: BTreeMap<(PathBuf, PathBuf), Loadable<Network>> = BTreeMap::new();
        for (net, blocks_file) in &p.graphs {
            progress(LoadStep::Graph(net));
            let mut sets = blocks
                .iter()
                .filter(|(k, _)| k.file == *blocks_file)
                .map(|(_, b)| b);
            let anchors = sets.clone().find(|b| b.is_ok()).or_else(|| sets.next());
            let graph = match (lines.get(net), anchors) {
                (Some(Ok(l)), Some(Ok(b))) => {
                    counts.networks_built += 1;
                    Ok(Arc::new(Network::build(l, &projection_for(b))))
                }
                (Some(Err(e)), _) | (_, Some(Err(e))) => Err(e.clone()),
                _ => Err("internal error: an input was not planned".to_owned()),
            };
            graphs.insert((net.clone(), blocks_file.clone()), graph);
        }
        counts.files_read = counts.station_files + counts.block_files + counts.network_files;

        let loaded = scenarios
            .iter()
            .map(|s| {
                let station_sets = std::iter::once(&s.job.stations)
                    .chain(&s.job.add_stations)
                    .map(|f| get(&stations, &stations_key(s, f)))
                    .collect::<Result<Vec<_>, _>>()?;
                let blocks = get(&blocks, &blocks_key(s))?;
                let network = match &s.job.network {
                    Some(net) => Some(get(&graphs, &(identity(net), identity(&s.job.blocks)))?),
                    None => None,
                };
                let context = crate::run::read_context(&s.job).map_err(|e| e.with_causes())?;
                Ok(Loaded {
                    stations: station_sets,
                    blocks,
                    network,
                    context,
                })
            })
            .collect();
        Cache { loaded, counts }
    }
}
