//! The clustering itself: exact groups, person rules, name rules and canonical names.

use std::collections::{BTreeMap, BTreeSet};

use lede_core::{CoarseLabel, Entity, Mention};

use super::names::{
    acronym_of, initials_of, parse_person, person_words, NameKind, PersonName, CORPORATE,
};
use super::normalize::{key_of, surface_form};
use super::similarity::{skeleton, NameRel, Word};
use super::MentionClusterer;

/// Type classes for the name rules: ORG and LOC link through aliases, MISC only with MISC.
pub(super) fn class_of(label: CoarseLabel) -> u8 {
    match label {
        CoarseLabel::Per => 0,
        CoarseLabel::Org | CoarseLabel::Loc => 1,
        CoarseLabel::Misc => 2,
    }
}

/// Disjoint sets over group indices; the smaller index is the root (deterministic).
pub(super) struct Dsu(Vec<usize>);

impl Dsu {
    pub(super) fn new(n: usize) -> Self {
        Dsu((0..n).collect())
    }

    pub(super) fn find(&mut self, mut x: usize) -> usize {
        while let Some(&p) = self.0.get(x) {
            if p == x {
                break;
            }
            let grand = self.0.get(p).copied().unwrap_or(p);
            if let Some(slot) = self.0.get_mut(x) {
                *slot = grand;
            }
            x = p;
        }
        x
    }

    pub(super) fn union(&mut self, a: usize, b: usize) {
        let (ra, rb) = (self.find(a), self.find(b));
        let (lo, hi) = if ra <= rb { (ra, rb) } else { (rb, ra) };
        if let Some(slot) = self.0.get_mut(hi) {
            *slot = lo;
        }
    }
}

/// One input mention, prepared.
pub(super) struct Item<'a> {
    pub(super) mention: &'a Mention,
    pub(super) surface: &'a str,
    pub(super) group: usize,
}

/// Mentions with one key (and, for non-entity labels, one label).
pub(super) struct Group {
    pub(super) key: String,
    /// Item positions (text order).
    pub(super) items: Vec<usize>,
    pub(super) coarse: Option<CoarseLabel>,
    /// Surface form of the first item.
    pub(super) surface: String,
    /// The acronym any member spells.
    pub(super) acronym: Option<String>,
    pub(super) person: Option<PersonName>,
}

/// What ranks a surface form as a canonical name (see the module docs).
pub(super) struct FormStats {
    pub(super) name_words: usize,
    pub(super) title_words: usize,
    pub(super) alnum: usize,
    pub(super) frequency: usize,
    pub(super) non_ascii: usize,
    pub(super) first: usize,
}

impl FormStats {
    pub(super) fn new(surface: &str, is_person: bool, first: usize) -> Self {
        let (name_words, title_words) = if is_person {
            let (words, removed) = person_words(surface);
            let full_words = words.iter().filter(|w| w.chars().count() > 1).count();
            (full_words, removed)
        } else {
            (surface.split_whitespace().count(), 0)
        };
        FormStats {
            name_words,
            title_words,
            alnum: surface.chars().filter(|c| c.is_alphanumeric()).count(),
            frequency: 0,
            non_ascii: surface
                .chars()
                .filter(|c| c.is_alphabetic() && !c.is_ascii())
                .count(),
            first,
        }
    }

    /// Larger is better; `first` makes it a total order over distinct forms.
    pub(super) fn rank(&self) -> impl Ord {
        use std::cmp::Reverse;
        (
            self.name_words,
            Reverse(self.title_words),
            self.alnum,
            self.frequency,
            self.non_ascii,
            Reverse(self.first),
        )
    }
}

/// Where an item ends up.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(super) enum Slot {
    Person(usize),
    Group(usize),
}

pub(super) struct Clustering<'a> {
    pub(super) c: &'a MentionClusterer,
    pub(super) text: &'a str,
    pub(super) items: Vec<Item<'a>>,
    pub(super) groups: Vec<Group>,
}

/// Score used in votes: finite and non-negative.
pub(super) fn vote_weight(score: f32) -> f64 {
    if score.is_finite() && score > 0.0 {
        f64::from(score)
    } else {
        0.0
    }
}

/// The label with the largest summed score, then more mentions, then seen first.
pub(super) fn vote<'m>(mentions: impl Iterator<Item = &'m Mention>) -> String {
    // label -> (score sum, count, first index)
    let mut tally: BTreeMap<&str, (f64, usize, usize)> = BTreeMap::new();
    for (i, m) in mentions.enumerate() {
        let e = tally.entry(m.label.as_str()).or_insert((0.0, 0, i));
        e.0 += vote_weight(m.score);
        e.1 += 1;
    }
    let mut best: Option<(&str, (f64, usize, usize))> = None;
    for (label, t) in tally {
        let better = match best {
            None => true,
            Some((_, b)) => t.0 > b.0 || (t.0 == b.0 && (t.1 > b.1 || (t.1 == b.1 && t.2 < b.2))),
        };
        if better {
            best = Some((label, t));
        }
    }
    best.map(|(l, _)| l.to_string()).unwrap_or_default()
}

impl<'a> Clustering<'a> {
    pub(super) fn new(c: &'a MentionClusterer, text: &'a str, mentions: &'a [Mention]) -> Self {
        let mut order: Vec<usize> = (0..mentions.len()).collect();
        order.sort_by_key(|&i| {
            let s = mentions.get(i).map(|m| (m.span.start, m.span.end));
            (s, i)
        });
        let mut items = Vec::with_capacity(mentions.len());
        let mut groups: Vec<Group> = Vec::new();
        let mut by_key: BTreeMap<(String, Option<String>), usize> = BTreeMap::new();
        for &i in &order {
            let Some(mention) = mentions.get(i) else {
                continue;
            };
            let raw: &str = if mention.text.trim().is_empty() {
                mention.span.slice(text).unwrap_or(&mention.text)
            } else {
                &mention.text
            };
            let surface = surface_form(raw);
            let key = key_of(surface);
            let label_part = match mention.coarse_label() {
                Some(_) => None,
                None => Some(mention.label.trim().to_uppercase()),
            };
            let pos = items.len();
            let group = *by_key.entry((key.clone(), label_part)).or_insert_with(|| {
                groups.push(Group {
                    key,
                    items: Vec::new(),
                    coarse: None,
                    surface: surface.to_string(),
                    acronym: None,
                    person: None,
                });
                groups.len() - 1
            });
            if let Some(g) = groups.get_mut(group) {
                g.items.push(pos);
                if g.acronym.is_none() {
                    g.acronym = acronym_of(surface);
                }
            }
            items.push(Item {
                mention,
                surface,
                group,
            });
        }
        for g in &mut groups {
            let label = vote(
                g.items
                    .iter()
                    .filter_map(|&p| items.get(p))
                    .map(|it| it.mention),
            );
            g.coarse = CoarseLabel::from_label(&label);
            if g.coarse == Some(CoarseLabel::Per) {
                g.person = parse_person(&g.surface);
            }
        }
        Clustering {
            c,
            text,
            items,
            groups,
        }
    }

    pub(super) fn run(self) -> Vec<Entity> {
        let mut dsu = Dsu::new(self.groups.len());
        self.link_names(&mut dsu);
        let slots = self.link_people(&mut dsu);

        let mut clusters: BTreeMap<Slot, Vec<usize>> = BTreeMap::new();
        for (pos, slot) in slots.into_iter().enumerate() {
            let slot = match slot {
                Slot::Group(g) => Slot::Group(dsu.find(g)),
                person => person,
            };
            clusters.entry(slot).or_default().push(pos);
        }
        let mut members: Vec<Vec<usize>> = clusters.into_values().collect();
        members.sort_by_key(|m| m.first().copied());
        members
            .into_iter()
            .enumerate()
            .map(|(n, positions)| self.entity(n + 1, &positions))
            .collect()
    }

    /// The name rules: alias, skeleton, corporate suffix, parenthetical, acronym.
    pub(super) fn link_names(&self, dsu: &mut Dsu) {
        let named: Vec<(usize, u8)> = self
            .groups
            .iter()
            .enumerate()
            .filter_map(|(i, g)| match g.coarse {
                Some(CoarseLabel::Per) | None => None,
                Some(l) => Some((i, class_of(l))),
            })
            .collect();
        let mut seen: BTreeMap<(u8, u8, String), usize> = BTreeMap::new();
        for &(i, class) in &named {
            let Some(g) = self.groups.get(i) else {
                continue;
            };
            let mut keys = vec![(0u8, skeleton(&g.key))];
            if let Some(&set) = self.c.aliases.get(&g.key) {
                keys.push((1, set.to_string()));
            }
            if g.coarse == Some(CoarseLabel::Org) {
                let mut words: Vec<&str> = g.key.split(' ').collect();
                while words.len() > 1 && words.last().is_some_and(|w| CORPORATE.contains(w)) {
                    words.pop();
                }
                keys.push((2, words.join(" ")));
            }
            for (kind, k) in keys {
                match seen.get(&(class, kind, k.clone())) {
                    Some(&first) => dsu.union(first, i),
                    None => {
                        seen.insert((class, kind, k), i);
                    }
                }
            }
        }

        if self.c.opts.parenthetical_aliases {
            self.link_parentheticals(dsu);
        }

        if self.c.opts.short_forms {
            self.link_short_forms(dsu);
        }

        if self.c.opts.acronyms {
            let mut long_forms: Vec<(usize, u8, String, String)> = Vec::new();
            for &(i, class) in &named {
                if let Some((strict, all)) =
                    self.groups.get(i).and_then(|g| initials_of(&g.surface))
                {
                    long_forms.push((i, class, strict, all));
                }
            }
            for &(i, class) in &named {
                let Some(acr) = self.groups.get(i).and_then(|g| g.acronym.clone()) else {
                    continue;
                };
                let matches: Vec<usize> = long_forms
                    .iter()
                    .filter(|(j, cl, strict, all)| {
                        *j != i && *cl == class && (*strict == acr || *all == acr)
                    })
                    .map(|(j, ..)| *j)
                    .collect();
                let roots: BTreeSet<usize> = matches.iter().map(|&j| dsu.find(j)).collect();
                if roots.len() == 1 {
                    if let Some(&j) = matches.first() {
                        dsu.union(i, j);
                    }
                }
            }
        }
    }

    /// `Amnesty` after `Amnesty International`: a one-word organisation name and the one
    /// longer organisation name, written first, that begins with it.
    pub(super) fn link_short_forms(&self, dsu: &mut Dsu) {
        let orgs: Vec<(usize, &Group)> = self
            .groups
            .iter()
            .enumerate()
            .filter(|(_, g)| g.coarse == Some(CoarseLabel::Org))
            .collect();
        for &(i, short) in &orgs {
            if short.key.contains(' ')
                || short.key.chars().filter(|c| c.is_alphabetic()).count() < 4
            {
                continue;
            }
            let first_at = short.items.first().copied().unwrap_or(usize::MAX);
            let matches: Vec<usize> = orgs
                .iter()
                .filter(|(_, long)| {
                    long.key.split(' ').nth(1).is_some()
                        && long.key.split(' ').next() == Some(short.key.as_str())
                        && long.items.first().is_some_and(|&p| p < first_at)
                })
                .map(|&(j, _)| j)
                .collect();
            let roots: BTreeSet<usize> = matches.iter().map(|&j| dsu.find(j)).collect();
            if roots.len() == 1 {
                if let Some(&j) = matches.first() {
                    dsu.union(i, j);
                }
            }
        }
    }

    /// `Long Name (LN)`: a name directly followed by another mention in parentheses.
    pub(super) fn link_parentheticals(&self, dsu: &mut Dsu) {
        let mut by_start: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
        for (pos, it) in self.items.iter().enumerate() {
            by_start.entry(it.mention.span.start).or_default().push(pos);
        }
        let is_org = |it: &Item| -> bool {
            self.groups.get(it.group).and_then(|g| g.coarse) == Some(CoarseLabel::Org)
        };
        for it in self.items.iter().filter(|it| is_org(it)) {
            let end = it.mention.span.end;
            let Some(after) = self.text.get(end..) else {
                continue;
            };
            let trimmed = after.trim_start();
            let Some(inside) = trimmed.strip_prefix('(') else {
                continue;
            };
            let inner = inside.trim_start();
            let inner_start = end + (after.len() - inner.len());
            let Some(cands) = by_start.get(&inner_start) else {
                continue;
            };
            for &other in cands {
                let Some(o) = self.items.get(other) else {
                    continue;
                };
                let after_inner = self
                    .text
                    .get(o.mention.span.end..)
                    .map(str::trim_start)
                    .and_then(|rest| rest.strip_prefix(')'));
                // A dateline ("Moscow (EFE).-", "MINSK (Reuters) -") is not a definition.
                let dateline = after_inner.is_some_and(|rest| {
                    rest.trim_start_matches(['.', ',', ':'])
                        .trim_start()
                        .starts_with(['-', '–', '—'])
                });
                if after_inner.is_some() && !dateline && is_org(o) {
                    dsu.union(it.group, o.group);
                }
            }
        }
    }

    /// The person name of group `gi`, if it has one.
    fn person(&self, gi: usize) -> Option<&PersonName> {
        self.groups.get(gi).and_then(|g| g.person.as_ref())
    }

    /// Indices of the `clusters` (lists of group indices) whose members' person names all
    /// (`every`) or any (otherwise) satisfy `pred`.
    fn clusters_where(
        &self,
        clusters: &[Vec<usize>],
        every: bool,
        pred: impl Fn(&PersonName) -> bool,
    ) -> Vec<usize> {
        let fits = |&m: &usize| self.person(m).is_some_and(&pred);
        clusters
            .iter()
            .enumerate()
            .filter(|(_, members)| {
                if every {
                    members.iter().all(fits)
                } else {
                    members.iter().any(fits)
                }
            })
            .map(|(i, _)| i)
            .collect()
    }

    /// The person rules; returns each item's slot (non-person items get their group).
    pub(super) fn link_people(&self, dsu: &mut Dsu) -> Vec<Slot> {
        let mut slots: Vec<Slot> = self.items.iter().map(|it| Slot::Group(it.group)).collect();

        // Rule 1: full names, in order of first mention.
        let mut persons: Vec<Vec<usize>> = Vec::new();
        let mut person_of_group: BTreeMap<usize, usize> = BTreeMap::new();
        for (gi, g) in self.groups.iter().enumerate() {
            let Some(name) = g.person.as_ref().filter(|p| p.kind == NameKind::Full) else {
                continue;
            };
            let compatible =
                self.clusters_where(&persons, true, |other| self.c.full_compatible(name, other));
            let p = match compatible.as_slice() {
                [only] => *only,
                _ => {
                    persons.push(Vec::new());
                    persons.len() - 1
                }
            };
            if let Some(members) = persons.get_mut(p) {
                members.push(gi);
            }
            person_of_group.insert(gi, p);
        }
        // First full-name mention of each person (item position).
        let first_full: Vec<usize> = persons
            .iter()
            .map(|members| {
                members
                    .iter()
                    .filter_map(|&m| self.groups.get(m).and_then(|g| g.items.first().copied()))
                    .min()
                    .unwrap_or(usize::MAX)
            })
            .collect();
        for (pos, it) in self.items.iter().enumerate() {
            if let Some(&p) = person_of_group.get(&it.group) {
                if let Some(slot) = slots.get_mut(pos) {
                    *slot = Slot::Person(p);
                }
            }
        }

        // Rule 2: single words and initials, per mention.
        let mut unmatched: Vec<usize> = Vec::new();
        for (gi, g) in self.groups.iter().enumerate() {
            let Some(name) = g.person.as_ref().filter(|p| p.kind != NameKind::Full) else {
                continue;
            };
            let candidates = self.clusters_where(&persons, false, |full| {
                let initial_ok = match name.kind {
                    NameKind::Initial => match (name.given.first(), full.given.first()) {
                        (Some(i), Some(f)) => i.first_char() == f.first_char(),
                        _ => false,
                    },
                    _ => true,
                };
                initial_ok && self.c.surname_rel(&name.surname, &full.surname) == NameRel::Same
            });
            if candidates.is_empty() {
                let by_given: Vec<usize> =
                    if name.kind == NameKind::Single && self.c.opts.given_name_links {
                        self.clusters_where(&persons, false, |full| {
                            full.given.first().is_some_and(|given| {
                                !given.is_initial()
                                    && (given.folded == name.surname.folded
                                        || given.skel == name.surname.skel)
                            })
                        })
                    } else {
                        Vec::new()
                    };
                if let [only] = by_given.as_slice() {
                    for &pos in &g.items {
                        if let Some(slot) = slots.get_mut(pos) {
                            *slot = Slot::Person(*only);
                        }
                    }
                } else {
                    unmatched.push(gi);
                }
                continue;
            }
            for &pos in &g.items {
                let chosen = match candidates.as_slice() {
                    [only] => Some(*only),
                    several => {
                        let before: Vec<usize> = several
                            .iter()
                            .copied()
                            .filter(|&p| first_full.get(p).is_some_and(|&f| f < pos))
                            .collect();
                        match before.as_slice() {
                            [only] => Some(*only),
                            _ => None,
                        }
                    }
                };
                if let (Some(p), Some(slot)) = (chosen, slots.get_mut(pos)) {
                    *slot = Slot::Person(p);
                }
            }
        }

        // Rule 3: unmatched single words (and initials) merge among themselves.
        let mut residual: Vec<Vec<usize>> = Vec::new();
        for &gi in &unmatched {
            let Some(name) = self.person(gi) else {
                continue;
            };
            let fits = |other: &PersonName| {
                other.kind == name.kind
                    && self.c.surname_rel(&name.surname, &other.surname) == NameRel::Same
                    && (name.kind != NameKind::Initial
                        || name.given.first().and_then(Word::first_char)
                            == other.given.first().and_then(Word::first_char))
            };
            let compatible = self.clusters_where(&residual, true, fits);
            match compatible.as_slice() {
                [only] => {
                    if let Some(members) = residual.get_mut(*only) {
                        if let Some(&first) = members.first() {
                            dsu.union(first, gi);
                        }
                        members.push(gi);
                    }
                }
                _ => residual.push(vec![gi]),
            }
        }
        slots
    }

    /// Builds entity number `n` from item positions (text order).
    pub(super) fn entity(&self, n: usize, positions: &[usize]) -> Entity {
        let items: Vec<&Item> = positions
            .iter()
            .filter_map(|&p| self.items.get(p))
            .collect();
        let label = vote(items.iter().map(|it| it.mention));
        let is_person = CoarseLabel::from_label(&label) == Some(CoarseLabel::Per);
        let mut forms: BTreeMap<&str, FormStats> = BTreeMap::new();
        for (i, it) in items.iter().enumerate() {
            forms
                .entry(it.surface)
                .or_insert_with(|| FormStats::new(it.surface, is_person, i))
                .frequency += 1;
        }
        let best = forms
            .iter()
            .max_by(|a, b| a.1.rank().cmp(&b.1.rank()))
            .map(|(form, _)| *form);
        Entity {
            id: format!("E{n}"),
            name: best.map(str::to_string).unwrap_or_default(),
            label,
            mentions: items.iter().map(|it| it.mention.clone()).collect(),
        }
    }
}
