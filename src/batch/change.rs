//! `SCENARIO/change-vs-BASE.svg`: for every scenario with a base (`--diff`, or its own
//! `diff = "…"`), the map of what it changes against that base — blocks newly covered, no
//! longer covered, or nearest another station — when both read the same blocks with the same
//! first threshold (by its label: 5 minutes at either speed), and the scenario draws maps. A scenario that differs from its base only by
//! `add_stations` has that map already, as its `change.svg`.

use crate::change::Change;
use crate::error::Result;
use crate::render::Lang;

use super::cache::Cache;
use super::diff::base_of;
use super::{Batch, Done};

/// The file name of a scenario's change map against `base`.
pub(super) fn file_name(base: &str) -> String {
    format!("change-vs-{base}.svg")
}

/// Draws every scenario's change map against its base and stages it (with its PNG under
/// `png`) into the scenario's folder.
pub(super) fn stage_change_maps(
    batch: &Batch,
    batch_base: Option<&str>,
    cache: &Cache,
    outcomes: &mut [(std::path::PathBuf, std::result::Result<Done, String>)],
) -> Result<()> {
    let mut drawn = Vec::new();
    for (i, scenario) in batch.scenarios.iter().enumerate() {
        let job = &scenario.job;
        let Some(base) = base_of(&scenario.diff, batch_base).filter(|b| *b != scenario.name) else {
            continue;
        };
        let (Ok(done), Some(j)) = (
            &outcomes[i].1,
            batch.scenarios.iter().position(|s| s.name == base),
        ) else {
            continue;
        };
        let Ok(before) = &outcomes[j].1 else {
            continue;
        };
        let comparable = done.blocks.path() == before.blocks.path()
            && done.blocks.blocks().len() == before.blocks.blocks().len()
            && done.blocks.fields().population == before.blocks.fields().population
            && done.analysis.params.thresholds[0].label
                == before.analysis.params.thresholds[0].label;
        // A scenario that only adds stations to its base's has that very map as change.svg.
        let mut alone = job.clone();
        alone.add_stations.clear();
        alone.out_dir.clone_from(&batch.scenarios[j].job.out_dir);
        if !(job.outputs.maps && comparable) || alone == batch.scenarios[j].job {
            continue;
        }
        let change = Change::between(&before.analysis, &done.analysis, &done.blocks);
        let context = cache.loaded[i]
            .as_ref()
            .map(|l| l.context.as_slice())
            .unwrap_or_default();
        let heading = match job.map.lang {
            Lang::Zh => format!("{} 对比 {base}", scenario.name),
            Lang::En => format!("{} vs {base}", scenario.name),
        };
        let svg = crate::render::draw_change(
            &done.analysis,
            &done.blocks,
            context,
            &change,
            &heading,
            &job.map,
        );
        drawn.push((i, file_name(base), svg));
    }
    for (i, name, svg) in drawn {
        if let Ok(done) = &mut outcomes[i].1 {
            crate::render::stage_svg(
                &mut done.folder,
                &name,
                &svg,
                batch.scenarios[i].job.map.png,
            )?;
        }
    }
    Ok(())
}
