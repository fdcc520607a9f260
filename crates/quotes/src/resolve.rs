//! Speakers: from the words of an attribution to the entity that said the quote.

use crate::find::Found;
use crate::words::Words;
use lede_core::{CoarseLabel, Entity};

/// How a speaker was resolved; the score reported for each.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum How {
    /// The attribution names the entity.
    Name,
    /// A role noun ("the US envoy") that the article gives an entity elsewhere.
    Role,
    /// A pronoun.
    Pronoun,
    /// No attribution of its own: the speaker of the quote before (or after).
    Continuation,
    /// Not resolved.
    None,
}

impl How {
    pub fn score(self) -> f32 {
        match self {
            How::Name => 0.9,
            How::Role => 0.75,
            How::Pronoun => 0.7,
            How::Continuation => 0.6,
            How::None => 0.3,
        }
    }
}

/// One entity mention in byte offsets.
struct M {
    start: usize,
    end: usize,
    entity: usize,
    label: Option<CoarseLabel>,
}

pub(crate) struct Resolver<'w, 'a> {
    w: &'w Words<'a>,
    entities: &'w [Entity],
    mentions: Vec<M>,
    /// Byte ranges of the quotes, by start, each with the largest end up to it: mentions
    /// inside them are not speakers in the narration.
    quoted: Vec<(usize, usize)>,
    /// Per entity, the gender its titles give ("Mr", "Ms", ...), if any.
    genders: Vec<Option<Gender>>,
}

/// The gender a pronoun or a title gives.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Gender {
    Male,
    Female,
}

/// Whether a known gender (or none) fits a pronoun's.
fn fits_gender(known: Option<Gender>, g: Gender) -> bool {
    known.map_or(true, |x| x == g)
}

/// The gender of a title word before a name.
fn title_gender(word: &str) -> Option<Gender> {
    match word {
        "mr" | "mr." | "sir" | "mister" | "lord" | "king" | "prince" => Some(Gender::Male),
        "mrs" | "mrs." | "ms" | "ms." | "miss" | "lady" | "dame" | "madam" | "queen"
        | "princess" => Some(Gender::Female),
        _ => None,
    }
}

/// Heads of role phrases that name one person ("the retired general", "the provincial chief").
const PERSON_ROLES: &[&str] = &[
    "minister",
    "president",
    "premier",
    "leader",
    "chief",
    "commander",
    "general",
    "governor",
    "mayor",
    "secretary",
    "chairman",
    "chairwoman",
    "envoy",
    "ambassador",
    "spokesman",
    "spokeswoman",
    "senator",
    "treasurer",
    "director",
    "executive",
    "coach",
    "captain",
    "judge",
    "magistrate",
    "coroner",
    "prosecutor",
    "bishop",
    "archbishop",
    "founder",
    "head",
    "boss",
    "manager",
    "commissioner",
    "chancellor",
    "king",
    "queen",
    "prince",
    "actor",
    "singer",
];

/// Whether name `m` inside a phrase ending before word `b` is a place or nationality
/// possessor ("Brisbane's Lord Mayor"): the phrase is then definite.
fn possessed_place(w: &Words<'_>, m: &M, b: usize) -> bool {
    let after = w.at_or_after(m.end);
    after < b
        && matches!(w.lower(after), "'s" | "’s")
        && matches!(m.label, Some(CoarseLabel::Loc) | Some(CoarseLabel::Misc))
}

const PERSON_PRONOUNS: &[&str] = &["he", "she", "him", "her"];
const GROUP_PRONOUNS: &[&str] = &["they", "it", "we"];
/// Role heads that name organisations ("the department says").
const ORG_HEADS: &[&str] = &[
    "department",
    "police",
    "ministry",
    "company",
    "army",
    "agency",
    "council",
    "court",
    "party",
    "bureau",
    "office",
    "commission",
    "group",
    "union",
    "association",
    "service",
    "airline",
    "organisation",
    "organization",
    "federation",
    "authority",
    "authorities",
    "network",
    "newspaper",
    "board",
    "club",
    "committee",
    "movement",
    "institute",
    "force",
    "forces",
    "military",
    "bank",
    "corporation",
    "team",
    "station",
    "government",
];
/// Prepositions that end a name's phrase.
const PREPOSITIONS: &[&str] = &["from", "of", "for", "at", "in", "with", "on"];
/// Role phrases that never resolve: the speaker is someone the article does not name.
const UNNAMED_START: &[&str] = &[
    "a", "an", "one", "some", "two", "three", "several", "many", "another",
];

impl<'w, 'a> Resolver<'w, 'a> {
    pub fn new(w: &'w Words<'a>, entities: &'w [Entity], found: &[Found]) -> Self {
        let mut mentions: Vec<M> = entities
            .iter()
            .enumerate()
            .flat_map(|(e, ent)| {
                ent.mentions.iter().map(move |m| M {
                    start: m.span.start,
                    end: m.span.end,
                    entity: e,
                    label: ent.coarse_label(),
                })
            })
            .collect();
        mentions.sort_by_key(|m| m.start);
        // Names inside quoted words (direct or reported) are not the narration's subjects.
        let mut quoted: Vec<(usize, usize)> = found.iter().map(|f| (f.start, f.end)).collect();
        quoted.sort_unstable();
        let mut reach = 0;
        for q in &mut quoted {
            reach = reach.max(q.1);
            q.1 = reach;
        }
        // An entity's gender from the titles before its mentions, when they agree.
        let mut genders: Vec<Option<Gender>> = vec![None; entities.len()];
        let mut mixed = vec![false; entities.len()];
        for m in &mentions {
            let i = w.at_or_after(m.start);
            let title = (i > 0).then(|| title_gender(w.lower(i - 1))).flatten();
            if let Some(g) = title {
                match genders[m.entity] {
                    Some(h) if h != g => mixed[m.entity] = true,
                    _ => genders[m.entity] = Some(g),
                }
            }
        }
        for (g, m) in genders.iter_mut().zip(&mixed) {
            if *m {
                *g = None;
            }
        }
        Resolver {
            w,
            entities,
            mentions,
            quoted,
            genders,
        }
    }

    fn is_quoted(&self, b: usize) -> bool {
        let k = self.quoted.partition_point(|&(s, _)| s <= b);
        k > 0 && b < self.quoted[k - 1].1
    }

    /// The mentions that start before byte `b`, in text order.
    fn before(&self, b: usize) -> &[M] {
        &self.mentions[..self.mentions.partition_point(|m| m.start < b)]
    }

    /// Resolves every quote's speaker: (entity index, how).
    pub fn resolve(&self, found: &[Found]) -> Vec<(Option<usize>, How)> {
        let mut out: Vec<(Option<usize>, How)> = Vec::with_capacity(found.len());
        let mut last: Option<(usize, usize)> = None; // (entity, sentence)
        for f in found {
            let r = match f.speaker {
                Some(sp) => self.phrase(sp, f, last),
                None => (None, How::Continuation),
            };
            if let (Some(e), _) = r {
                last = Some((e, self.w.sentence_at(f.start)));
            }
            out.push(r);
        }
        // Quotes without an attribution of their own: the speaker of the quote just before,
        // else of the quote just after (a quote over paragraphs attributed at its end).
        for i in 0..found.len() {
            if found[i].speaker.is_some() {
                continue;
            }
            let s = self.w.sentence_at(found[i].start);
            let prev = (0..i)
                .rev()
                .find(|&k| out[k].0.is_some())
                .filter(|&k| s.saturating_sub(self.w.sentence_at(found[k].start)) <= 3);
            let next = (i + 1..found.len())
                .find(|&k| found[k].speaker.is_some())
                .filter(|&k| out[k].0.is_some() && self.w.sentence_at(found[k].start) <= s + 1);
            let pick = prev.or(next).map(|k| out[k].0);
            out[i] = match pick {
                Some(e) => (e, How::Continuation),
                None => (self.nearest_person(found[i].start), How::Continuation),
            };
            if out[i].0.is_none() {
                out[i].1 = How::None;
            }
        }
        out
    }

    /// The entity of an attribution phrase.
    fn phrase(
        &self,
        (a, b): (usize, usize),
        f: &Found,
        last: Option<(usize, usize)>,
    ) -> (Option<usize>, How) {
        let w = self.w;
        let (start, end) = (w.words[a].start, w.words[b - 1].end);
        // A name inside the phrase: the last one, unless it follows "for"/"of" ("a spokesman
        // for Gul Agha" is not Gul Agha).
        let inside: Vec<&M> = self
            .mentions
            .iter()
            .filter(|m| m.start < end && m.end > start)
            .collect();
        // excluded: a name after "for"/"of" with no comma between ("a spokesman for X")
        let governed = |m: &M| {
            let after = w.at_or_after(m.end);
            if after < b && matches!(w.lower(after), "'s" | "’s" | "'" | "’") {
                return true; // "Brisbane's Lord Mayor" is not Brisbane
            }
            // The last preposition, comma or possessive before the name: only a preposition
            // governs it ("the Bureau of Meteorology's Claire Richards" is Claire Richards).
            let k = w.at_or_after(m.start);
            (a..k)
                .rev()
                .find(|&i| {
                    matches!(
                        w.lower(i),
                        "for" | "of" | "from" | "with" | "," | "'s" | "’s"
                    )
                })
                .is_some_and(|i| matches!(w.lower(i), "for" | "of" | "from" | "with"))
        };
        // A name followed by a common noun in the phrase modifies it ("the US envoy" is not
        // the US); words after a comma are an apposition ("Mr Downer, the minister").
        // A nationality before any word is one too ("the Israeli Government").
        // A place or nationality before any word modifies it too ("the Solomon Islands Prime
        // Minister"); a prepositional phrase after a name does not ("Mr X from the service").
        let modifier = |m: &M| {
            let place = matches!(m.label, Some(CoarseLabel::Misc) | Some(CoarseLabel::Loc));
            (w.at_or_after(m.end)..b)
                .take_while(|&k| w.lower(k) != "," && !PREPOSITIONS.contains(&w.lower(k)))
                .any(|k| !w.words[k].punct && (!w.words[k].capital || place))
        };
        let head_inside = inside
            .iter()
            .rev()
            .find(|m| !governed(m) && !modifier(m))
            .map(|m| m.entity);
        if let Some(e) = head_inside {
            return (Some(e), How::Name);
        }
        let first = w.lower(a);
        if b - a == 1 && PERSON_PRONOUNS.contains(&first) {
            let gender = if matches!(first, "he" | "him") {
                Gender::Male
            } else {
                Gender::Female
            };
            return (
                self.pronoun_person(f.start.min(start), last, Some(gender)),
                How::Pronoun,
            );
        }
        if b - a == 1 && GROUP_PRONOUNS.contains(&first) {
            return (self.pronoun_group(start), How::Pronoun);
        }
        // "a statement from Prime Minister Ariel Sharon's office": the office speaks for
        // its holder.
        if w.lower(b - 1) == "office" {
            let holder = inside.iter().rev().find(|m| {
                m.label == Some(CoarseLabel::Per)
                    && w.at_or_after(m.end) + 2 == b
                    && matches!(w.lower(b - 2), "'s" | "’s")
            });
            if let Some(m) = holder {
                return (Some(m.entity), How::Role);
            }
        }
        if UNNAMED_START.contains(&first)
            || inside
                .iter()
                .any(|m| governed(m) && !possessed_place(w, m, b))
        {
            return (None, How::None);
        }
        // A role noun: its last word.
        let head = w.lower(b - 1).to_string();
        if ORG_HEADS.contains(&head.as_str()) {
            let e = self.org_named(&head, start);
            return (e, if e.is_some() { How::Role } else { How::None });
        }
        if let Some(e) = self.person_with_role(&head, start) {
            return (Some(e), How::Role);
        }
        // A definite role that the article never puts beside a name ("the retired general
        // said"): the person the narration is about, named in the sentence after when the
        // role comes first ("The new Prime Minister says ... Sir Allan Kemakeza, ..."), else
        // before, as for "he".
        let definite = first == "the" || inside.iter().any(|m| possessed_place(w, m, b));
        if definite && PERSON_ROLES.contains(&head.as_str()) {
            let e = self
                .person_opening_next(end)
                .or_else(|| self.pronoun_person(f.start.min(start), last, None));
            return (e, if e.is_some() { How::Role } else { How::None });
        }
        (None, How::None)
    }

    fn nearest_person(&self, before: usize) -> Option<usize> {
        self.before(before)
            .iter()
            .rev()
            .filter(|m| {
                m.end <= before && m.label == Some(CoarseLabel::Per) && !self.is_quoted(m.start)
            })
            .map(|m| m.entity)
            .next()
    }

    /// "he"/"she": the last sentence before that names a person outside quoted words gives
    /// its first such person (the subject, in news prose); the last speaker wins when they
    /// were quoted in or after that sentence.
    /// People whose title says otherwise ("Mr Crean" for "she") are passed over.
    fn pronoun_person(
        &self,
        before: usize,
        last: Option<(usize, usize)>,
        gender: Option<Gender>,
    ) -> Option<usize> {
        let w = self.w;
        let fits = |e: usize| gender.map_or(true, |g| fits_gender(self.genders[e], g));
        let fitting = |m: &&M| {
            m.end <= before
                && m.label == Some(CoarseLabel::Per)
                && !self.is_quoted(m.start)
                && fits(m.entity)
        };
        // The last sentence with such a person, and its first such person.
        let mut named: Option<(usize, usize)> = None;
        for m in self.before(before).iter().rev().filter(fitting) {
            let s = w.sentence_at(m.start);
            match named {
                Some((ns, _)) if s < ns => break,
                _ => named = Some((s, m.entity)),
            }
        }
        let quoted = last
            .filter(|&(e, _)| self.entities[e].coarse_label() == Some(CoarseLabel::Per) && fits(e));
        match (named, quoted) {
            (Some((s, e)), Some((le, ls))) => Some(if ls >= s { le } else { e }),
            (Some((_, e)), None) | (None, Some((e, _))) => Some(e),
            (None, None) => None,
        }
    }

    /// The person whose name opens the sentence after the one that holds byte `b` (titles
    /// before the name allowed: "Commander Haji Mohammad Zaman said ...").
    fn person_opening_next(&self, b: usize) -> Option<usize> {
        let w = self.w;
        let s = w.sentence_at(b) + 1;
        let &(first, last) = w.sentence_words.get(s)?;
        let from = w.words.get(first)?.start;
        let m = self.mentions.get(self.before(from).len())?;
        let i = w.at_or_after(m.start);
        let opens = i < last
            && (first..i).all(|k| w.words[k].capital && !w.words[k].punct)
            && i - first <= 2;
        (opens && m.label == Some(CoarseLabel::Per) && !self.is_quoted(m.start)).then_some(m.entity)
    }

    /// "they"/"it"/"we": an organisation or group named in this or the sentence before.
    fn pronoun_group(&self, before: usize) -> Option<usize> {
        let s = self.w.sentence_at(before);
        self.before(before)
            .iter()
            .rev()
            .filter(|m| m.end <= before && !self.is_quoted(m.start))
            .take_while(|m| s.saturating_sub(self.w.sentence_at(m.start)) <= 1)
            .find(|m| matches!(m.label, Some(CoarseLabel::Org) | Some(CoarseLabel::Misc)))
            .map(|m| m.entity)
    }

    /// "the department": the organisation named before whose name has the word.
    fn org_named(&self, head: &str, before: usize) -> Option<usize> {
        // "authorities" names the "Palestinian Authority", "forces" the "Defence Force".
        let singular = head
            .strip_suffix("ies")
            .map(|s| format!("{s}y"))
            .or_else(|| head.strip_suffix('s').map(str::to_string))
            .unwrap_or_else(|| head.to_string());
        self.before(before)
            .iter()
            .rev()
            .filter(|m| m.start < before)
            .find(|m| {
                self.entities[m.entity]
                    .name
                    .to_lowercase()
                    .split_whitespace()
                    .any(|t| t == head || t == singular)
            })
            .map(|m| m.entity)
    }

    /// "the envoy": the person the article calls so next to one of their mentions ("US envoy
    /// John Cole", "John Cole, the envoy", "the White House envoy, John Cole").
    fn person_with_role(&self, head: &str, before: usize) -> Option<usize> {
        let w = self.w;
        self.before(before)
            .iter()
            .rev()
            .filter(|m| m.label == Some(CoarseLabel::Per) && m.start < before)
            .find(|m| {
                let i = w.at_or_after(m.start);
                let j = w.at_or_after(m.end);
                let s = w.sentence_of.get(i).copied().unwrap_or(0);
                let (first, last) = w.sentence_words[s];
                let left = (i.saturating_sub(5).max(first)..i).any(|k| w.lower(k) == head);
                let right =
                    w.lower(j) == "," && (j + 1..(j + 7).min(last)).any(|k| w.lower(k) == head);
                left || right
            })
            .map(|m| m.entity)
    }
}
