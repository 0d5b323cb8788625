//! Groups of blocks (`--group-by`): a number per distinct value of the grouping field, given in
//! order of first appearance, and a table of their names.

use std::collections::HashMap;

/// A group of blocks: a number, with its name in the [`GroupNames`] of its set.
///
/// # Examples
///
/// ```
/// use walkshed::GroupNames;
/// let mut names = GroupNames::default();
/// let a = names.id("金山卫镇");
/// let b = names.id("廊下镇");
/// assert_eq!(names.id("金山卫镇"), a);
/// assert_eq!((a.index(), b.index()), (0, 1));
/// assert_eq!(names.name(b), "廊下镇");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct GroupId(u32);

impl GroupId {
    /// The group's place in its [`GroupNames`], from 0.
    pub fn index(self) -> usize {
        self.0 as usize
    }
}

/// The names of a set's groups, numbered in order of first appearance. There is no limit on
/// their count (beyond `u32`).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct GroupNames {
    names: Vec<Box<str>>,
    ids: HashMap<Box<str>, GroupId>,
}

impl GroupNames {
    /// The group named `name`, numbered next if it is new.
    ///
    /// # Panics
    ///
    /// Past 2³² distinct names.
    pub fn id(&mut self, name: &str) -> GroupId {
        if let Some(&id) = self.ids.get(name) {
            return id;
        }
        let id = GroupId(u32::try_from(self.names.len()).expect("fewer than 2^32 groups"));
        self.names.push(name.into());
        self.ids.insert(name.into(), id);
        id
    }

    /// The group named `name`, if there is one.
    pub fn find(&self, name: &str) -> Option<GroupId> {
        self.ids.get(name).copied()
    }

    /// The name of group `id`.
    ///
    /// # Panics
    ///
    /// If `id` is not one of these groups.
    pub fn name(&self, id: GroupId) -> &str {
        &self.names[id.index()]
    }

    /// How many groups there are.
    pub fn len(&self) -> usize {
        self.names.len()
    }

    /// Whether there is no group.
    pub fn is_empty(&self) -> bool {
        self.names.is_empty()
    }

    /// The names, in the order of the groups' numbers.
    pub fn iter(&self) -> impl ExactSizeIterator<Item = &str> {
        self.names.iter().map(|n| &**n)
    }
}
