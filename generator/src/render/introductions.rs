//! Introductions across the divide: for each member, people from the other side to meet,
//! ranked by shared interests and past events both attended ("met at"; rare ones weigh
//! more), and for each sector the interests where both sides are active.

use jiff::Timestamp;
use model::{Member, Sector};
use rayon::prelude::*;

use super::views::Taxonomy;

/// How many people a profile suggests.
pub const SUGGESTIONS: usize = 6;

/// The weight of a shared interest is this divided by how many members have it, so that a
/// rare one counts more than a common one. Whole numbers keep the ranking exact.
const WEIGHT_SCALE: u64 = 1 << 32;

/// Whether a sector is the public side of the portal (local or national government);
/// everyone else is the other side.
pub fn is_public(sector: Sector) -> bool {
    matches!(sector, Sector::LocalGov | Sector::NationalGov)
}

/// A member to meet and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Suggestion {
    /// The member's index.
    pub member: usize,
    /// What they share, rarest first: term indexes of the interests taxonomy, then (from
    /// the taxonomy's length on) the past events both attended, in `Ranking::met_at` order.
    pub shared: Vec<usize>,
}

/// What the ranking reads besides the interests: each member's sector and prefecture, and
/// their latest activity (the start of the latest event they organize).
pub struct Ranking<'a> {
    pub members: &'a [Member],
    pub interests: &'a Taxonomy,
    pub latest_activity: &'a [Option<Timestamp>],
    /// For each past event with attendees, its attendees' indexes in ascending order: a
    /// shared event counts as a shared interest held by as many members.
    pub met_at: &'a [Vec<usize>],
}

impl Ranking<'_> {
    /// Up to [`SUGGESTIONS`] members of the other side for every member: most shared
    /// interest weight first, then the same prefecture, then the most recent activity, then
    /// 50-on order. Computed from the interests taxonomy (an inverted index: each term lists
    /// its members in index order), never by comparing every pair: the member's terms are
    /// walked rarest first, and once the sixth best score is above what the remaining terms
    /// could give a newcomer, those terms are only looked up for the members already found.
    pub fn suggestions(&self) -> Vec<Vec<Suggestion>> {
        let n = self.members.len();
        let public: Vec<bool> = self.members.iter().map(|m| is_public(m.sector)).collect();
        // Each term's members split by side, so a scan reads only the other side; members
        // who take no introduction requests are nobody's suggestion.
        let open: Vec<bool> = (self.members.iter())
            .map(|m| m.introductions == model::Introductions::Open)
            .collect();
        // The interests' members, then each past event's attendees: one list per "term".
        let lists: Vec<&[usize]> = (self.interests.terms.iter())
            .map(|term| term.members.as_slice())
            .chain(self.met_at.iter().map(Vec::as_slice))
            .collect();
        let by_side: Vec<[Vec<usize>; 2]> = (lists.iter())
            .map(|members| {
                let (public_side, other_side) = (members.iter())
                    .filter(|&&m| open[m])
                    .partition(|&&m| public[m]);
                [other_side, public_side]
            })
            .collect();
        let terms_of = TermsOf::new(n, &lists);
        let weights: Vec<u64> = (lists.iter())
            .map(|members| WEIGHT_SCALE / members.len().max(1) as u64)
            .collect();
        let prefectures: Vec<Option<model::Prefecture>> =
            self.members.iter().map(|m| m.prefecture).collect();
        let scan = Scan {
            ranking: self,
            terms_of: &terms_of,
            public: &public,
            prefectures: &prefectures,
            by_side: &by_side,
            weights: &weights,
        };
        (0..n)
            .into_par_iter()
            // Scores by member, kept zero between members, and which were touched.
            .map_init(
                || (vec![0u64; n], Vec::new(), Vec::new()),
                |(scores, found, buffer), member| scan.for_member(member, scores, found, buffer),
            )
            .collect()
    }

    /// The members of term `term`: an interest, or past the interests a past event.
    #[cfg(test)]
    fn list(&self, term: usize) -> &[usize] {
        match term.checked_sub(self.interests.terms.len()) {
            None => &self.interests.terms[term].members,
            Some(event) => &self.met_at[event],
        }
    }

    /// The weight of a shared interest or event (see [`WEIGHT_SCALE`]).
    #[cfg(test)]
    fn weight(&self, term: usize) -> u64 {
        WEIGHT_SCALE / self.list(term).len().max(1) as u64
    }
}

/// Each member's interests as term indexes, in one array (members' few terms side by side
/// are read far faster than a list per member).
struct TermsOf {
    /// Where each member's terms start in `terms`, and one past the last member's.
    starts: Vec<usize>,
    terms: Vec<usize>,
}

impl TermsOf {
    fn new(members: usize, lists: &[&[usize]]) -> TermsOf {
        let mut counts = vec![0; members + 1];
        for list in lists {
            for &member in *list {
                counts[member + 1] += 1;
            }
        }
        for at in 1..counts.len() {
            counts[at] += counts[at - 1];
        }
        let mut next = counts.clone();
        let mut terms = vec![0; counts[members]];
        for (index, list) in lists.iter().enumerate() {
            for &member in *list {
                terms[next[member]] = index;
                next[member] += 1;
            }
        }
        TermsOf {
            starts: counts,
            terms,
        }
    }

    fn of(&self, member: usize) -> &[usize] {
        &self.terms[self.starts[member]..self.starts[member + 1]]
    }
}

/// What every member's scan shares.
struct Scan<'a> {
    ranking: &'a Ranking<'a>,
    terms_of: &'a TermsOf,
    public: &'a [bool],
    prefectures: &'a [Option<model::Prefecture>],
    /// Each term's members of the other side of a public servant (`[0]`) and of everyone
    /// else (`[1]`), in index order.
    by_side: &'a [[Vec<usize>; 2]],
    weights: &'a [u64],
}

impl Scan<'_> {
    fn for_member(
        &self,
        member: usize,
        scores: &mut [u64],
        found: &mut Vec<usize>,
        buffer: &mut Vec<u64>,
    ) -> Vec<Suggestion> {
        let side = usize::from(!self.public[member]);
        let mut terms = self.terms_of.of(member).to_vec();
        terms.sort_by_key(|&t| (std::cmp::Reverse(self.weights[t]), t));
        // What the terms from each position on can still add to a member not yet found.
        let mut remaining: Vec<u64> = terms.iter().map(|&t| self.weights[t]).collect();
        for at in (0..remaining.len().saturating_sub(1)).rev() {
            remaining[at] += remaining[at + 1];
        }
        for (at, &term) in terms.iter().enumerate() {
            let listed = &self.by_side[term][side];
            let weight = self.weights[term];
            if sixth_best(scores, found, buffer) > Some(remaining[at]) {
                // No member not yet found can reach the sixth place: the remaining terms
                // only add to those found, read from each one's own few interests.
                let rest = &terms[at..];
                for &other in found.iter() {
                    for &t in self.terms_of.of(other) {
                        if rest.contains(&t) {
                            scores[other] += self.weights[t];
                        }
                    }
                }
                break;
            }
            for &other in listed {
                if scores[other] == 0 {
                    found.push(other);
                }
                scores[other] += weight;
            }
        }
        let activity = self.ranking.latest_activity;
        let prefecture = self.prefectures[member];
        let same_place = |m: usize| prefecture.is_some() && self.prefectures[m] == prefecture;
        let order = |a: &usize, b: &usize| {
            scores[*b]
                .cmp(&scores[*a])
                .then_with(|| same_place(*b).cmp(&same_place(*a)))
                .then_with(|| activity[*b].cmp(&activity[*a]))
                .then_with(|| a.cmp(b))
        };
        // Only the members at or above the sixth best score can be suggested; the rest are
        // left out before the (dearer) comparison of the ties.
        let mut best: Vec<usize> = match sixth_best(scores, found, buffer) {
            Some(sixth) => (found.iter().copied())
                .filter(|&m| scores[m] >= sixth)
                .collect(),
            None => found.clone(),
        };
        if best.len() > SUGGESTIONS {
            best.select_nth_unstable_by(SUGGESTIONS - 1, order);
            best.truncate(SUGGESTIONS);
        }
        best.sort_by(order);
        let suggestions = best
            .into_iter()
            .map(|other| Suggestion {
                member: other,
                shared: (terms.iter().copied())
                    .filter(|t| self.terms_of.of(other).contains(t))
                    .collect(),
            })
            .collect();
        for &other in found.iter() {
            scores[other] = 0;
        }
        found.clear();
        suggestions
    }
}

/// The sixth best score found so far, if six were found (`buffer` is scratch space).
fn sixth_best(scores: &[u64], found: &[usize], buffer: &mut Vec<u64>) -> Option<u64> {
    if found.len() < SUGGESTIONS {
        return None;
    }
    buffer.clear();
    buffer.extend(found.iter().map(|&m| scores[m]));
    let (_, sixth, _) = buffer.select_nth_unstable_by(SUGGESTIONS - 1, |a, b| b.cmp(a));
    Some(*sixth)
}

/// How many members of each sector have each interest: `counts[term][sector]`, sectors in
/// the order of [`Sector::ALL`].
pub fn sector_counts(members: &[Member], interests: &Taxonomy) -> Vec<[usize; 6]> {
    interests
        .terms
        .iter()
        .map(|term| {
            let mut counts = [0; 6];
            for &member in &term.members {
                counts[sector_position(members[member].sector)] += 1;
            }
            counts
        })
        .collect()
}

/// Where a sector is in [`Sector::ALL`].
pub fn sector_position(sector: Sector) -> usize {
    Sector::ALL.iter().position(|s| *s == sector).unwrap_or(0)
}

/// For the introductions page of `sector`: the interests (term indexes) that its members
/// and members of the other side both have, where both sides are most evenly present first
/// (the smaller side's count), then the busiest, then in the taxonomy's order.
pub fn shared_with_other_side(counts: &[[usize; 6]], sector: Sector) -> Vec<usize> {
    let own = sector_position(sector);
    let other_side = |c: &[usize; 6]| -> usize {
        (Sector::ALL.iter().zip(c))
            .filter(|(s, _)| is_public(**s) != is_public(sector))
            .map(|(_, n)| n)
            .sum()
    };
    let mut terms: Vec<usize> = (0..counts.len())
        .filter(|&t| counts[t][own] > 0 && other_side(&counts[t]) > 0)
        .collect();
    terms.sort_by_key(|&t| {
        let (mine, theirs) = (counts[t][own], other_side(&counts[t]));
        (
            std::cmp::Reverse(mine.min(theirs)),
            std::cmp::Reverse(mine + theirs),
            t,
        )
    });
    terms
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::views::{TaxonomyKind, Term};
    use model::Choice;

    fn member(slug: &str, sector: Sector, prefecture: Option<model::Prefecture>) -> Member {
        let text = format!(
            "---\nname: {slug}\nsector: {}\njoined: 2026-01-01\n{}---\n",
            sector.slug(),
            prefecture.map_or(String::new(), |p| format!("prefecture: {}\n", p.slug()))
        );
        let path = std::path::PathBuf::from(format!("members/{slug}.md"));
        let document = model::Document::parse(&path, &text).expect("a member file");
        Member::from_document(&document, slug).expect("a valid member")
    }

    fn taxonomy(terms: &[&[usize]]) -> Taxonomy {
        Taxonomy {
            kind: TaxonomyKind::Interests,
            terms: terms
                .iter()
                .enumerate()
                .map(|(i, members)| Term {
                    key: format!("t{i}"),
                    label: format!("t{i}"),
                    path: format!("/interests/t{i}/"),
                    group: None,
                    members: members.to_vec(),
                    events: Vec::new(),
                })
                .collect(),
        }
    }

    /// Every pair compared: what the inverted index must find.
    fn by_every_pair(ranking: &Ranking) -> Vec<Vec<usize>> {
        let n = ranking.members.len();
        let has = |m: usize, t: usize| ranking.list(t).contains(&m);
        let terms = ranking.interests.terms.len() + ranking.met_at.len();
        (0..n)
            .map(|m| {
                let mut scored: Vec<(u64, bool, Option<Timestamp>, usize)> = (0..n)
                    .filter(|&o| {
                        o != m
                            && ranking.members[o].introductions == model::Introductions::Open
                            && is_public(ranking.members[o].sector)
                                != is_public(ranking.members[m].sector)
                    })
                    .filter_map(|o| {
                        let score: u64 = (0..terms)
                            .filter(|&t| has(m, t) && has(o, t))
                            .map(|t| ranking.weight(t))
                            .sum();
                        let place = ranking.members[m].prefecture;
                        (score > 0).then(|| {
                            (
                                score,
                                place.is_some() && ranking.members[o].prefecture == place,
                                ranking.latest_activity[o],
                                o,
                            )
                        })
                    })
                    .collect();
                scored.sort_by(|a, b| {
                    b.0.cmp(&a.0)
                        .then(b.1.cmp(&a.1))
                        .then(b.2.cmp(&a.2))
                        .then(a.3.cmp(&b.3))
                });
                scored.into_iter().take(SUGGESTIONS).map(|s| s.3).collect()
            })
            .collect()
    }

    #[test]
    fn rare_shared_interests_rank_first_and_ties_go_to_the_same_prefecture_then_activity() {
        use model::Prefecture;
        let tokyo = Prefecture::all()[12];
        let osaka = Prefecture::all()[26];
        let members = vec![
            member("a", Sector::LocalGov, Some(tokyo)),
            member("b", Sector::Private, Some(osaka)),
            member("c", Sector::Private, Some(tokyo)),
            member("d", Sector::Nonprofit, None),
            member("e", Sector::NationalGov, Some(tokyo)),
            member("f", Sector::Academic, None),
        ];
        // t0: common (a, b, c, d, e, f); t1: rare (a, d); t2: (a, f)
        let interests = taxonomy(&[&[0, 1, 2, 3, 4, 5], &[0, 3], &[0, 5]]);
        let latest: Vec<Option<Timestamp>> = vec![
            None,
            Some("2026-05-01T00:00:00Z".parse().unwrap()),
            None,
            None,
            None,
            None,
        ];
        let ranking = Ranking {
            members: &members,
            interests: &interests,
            latest_activity: &latest,
            met_at: &[],
        };
        let suggestions = ranking.suggestions();
        let of_a: Vec<usize> = suggestions[0].iter().map(|s| s.member).collect();
        // d and f share a rare interest with a; of b and c (only the common one), c is in
        // a's prefecture; e is on a's side.
        assert_eq!(of_a, [3, 5, 2, 1]);
        assert_eq!(suggestions[0][0].shared, [1, 0]);
        // b, c, d and f share only t0 with e, equally: c is in e's prefecture, b has
        // organized an event, then d and f in 50-on order.
        let of_e: Vec<usize> = suggestions[4].iter().map(|s| s.member).collect();
        assert_eq!(of_e, [2, 1, 3, 5]);
        // b's side is private: a and e, the public ones; equal weight, neither in Osaka.
        let of_b: Vec<usize> = suggestions[1].iter().map(|s| s.member).collect();
        assert_eq!(of_b, [0, 4]);
        assert_eq!(
            suggestions
                .iter()
                .map(|s| s.iter().map(|s| s.member).collect::<Vec<_>>())
                .collect::<Vec<_>>(),
            by_every_pair(&ranking)
        );
    }

    #[test]
    fn the_inverted_index_finds_what_comparing_every_pair_finds() {
        // A deterministic pseudo-random site: 400 members, 40 terms with a long tail.
        let mut seed: u64 = 7;
        let mut next = |limit: u64| {
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (seed >> 33) % limit
        };
        let prefectures = model::Prefecture::all();
        let members: Vec<Member> = (0..400)
            .map(|i| {
                let sector = Sector::ALL[next(6) as usize];
                let prefecture = (next(3) > 0).then(|| prefectures[next(5) as usize]);
                let mut member = member(&format!("m{i:03}"), sector, prefecture);
                // One in ten takes no introduction requests.
                if next(10) == 0 {
                    member.introductions = model::Introductions::Closed;
                }
                member
            })
            .collect();
        let mut lists: Vec<Vec<usize>> = vec![Vec::new(); 40];
        for m in 0..400 {
            for _ in 0..1 + next(4) {
                // The square makes low term numbers common and high ones rare.
                let t = (next(40) * next(40) / 40) as usize;
                if !lists[t].contains(&m) {
                    lists[t].push(m);
                }
            }
        }
        let refs: Vec<&[usize]> = lists.iter().map(Vec::as_slice).collect();
        let interests = taxonomy(&refs);
        let latest: Vec<Option<Timestamp>> = (0..400)
            .map(|_| (next(4) == 0).then(|| Timestamp::from_second(next(1000) as i64).unwrap()))
            .collect();
        // Past events, a few with many attendees and many with few, like the interests.
        let met_at: Vec<Vec<usize>> = (0..12)
            .map(|e| {
                let mut attendees: Vec<usize> = (0..2 + next(if e < 3 { 60 } else { 8 }))
                    .map(|_| next(400) as usize)
                    .collect();
                attendees.sort_unstable();
                attendees.dedup();
                attendees
            })
            .collect();
        let ranking = Ranking {
            members: &members,
            interests: &interests,
            latest_activity: &latest,
            met_at: &met_at,
        };
        let found: Vec<Vec<usize>> = ranking
            .suggestions()
            .iter()
            .map(|s| s.iter().map(|s| s.member).collect())
            .collect();
        assert_eq!(found, by_every_pair(&ranking));
        assert!(found.iter().filter(|s| s.len() == SUGGESTIONS).count() > 300);
        let closed: Vec<usize> = (0..400)
            .filter(|&m| members[m].introductions == model::Introductions::Closed)
            .collect();
        assert!(closed.len() > 20, "the site has closed members");
        assert!(
            found.iter().flatten().all(|m| !closed.contains(m)),
            "nobody is suggested who takes no requests"
        );
    }

    #[test]
    fn a_past_event_both_attended_counts_like_an_interest_as_rare() {
        let members = vec![
            member("a", Sector::LocalGov, None),
            member("b", Sector::Private, None),
            member("c", Sector::Private, None),
            member("d", Sector::Private, None),
        ];
        // t0: an interest of everyone; t1: an interest of a and b. Event 0 (term 2): a and c
        // were there, and only they: as rare as t1, and listed after the interests.
        let interests = taxonomy(&[&[0, 1, 2, 3], &[0, 1]]);
        let met_at = vec![vec![0, 2]];
        let latest = vec![None; 4];
        let ranking = Ranking {
            members: &members,
            interests: &interests,
            latest_activity: &latest,
            met_at: &met_at,
        };
        let suggestions = ranking.suggestions();
        let of_a: Vec<(usize, Vec<usize>)> = (suggestions[0].iter())
            .map(|s| (s.member, s.shared.clone()))
            .collect();
        assert_eq!(of_a, [(1, vec![1, 0]), (2, vec![2, 0]), (3, vec![0])]);
        // c, who met a, now ranks above d; the event is c's reason as t1 is b's.
        let of_c: Vec<usize> = suggestions[2].iter().map(|s| s.member).collect();
        assert_eq!(of_c, [0]);
        assert_eq!(suggestions[2][0].shared, [2, 0]);
    }

    #[test]
    fn a_sector_page_pairs_the_interests_both_sides_have() {
        let members = vec![
            member("a", Sector::LocalGov, None),
            member("b", Sector::LocalGov, None),
            member("c", Sector::Private, None),
            member("d", Sector::NationalGov, None),
            member("e", Sector::Nonprofit, None),
        ];
        // t0: a, b, c, e (2 and 2); t1: a, d (public only); t2: b, c (1 and 1)
        let interests = taxonomy(&[&[0, 1, 2, 4], &[0, 3], &[1, 2]]);
        let counts = sector_counts(&members, &interests);
        assert_eq!(counts[0], [2, 0, 1, 1, 0, 0]);
        assert_eq!(shared_with_other_side(&counts, Sector::LocalGov), [0, 2]);
        assert_eq!(shared_with_other_side(&counts, Sector::Private), [0, 2]);
        assert_eq!(
            shared_with_other_side(&counts, Sector::NationalGov),
            Vec::<usize>::new()
        );
        assert_eq!(
            shared_with_other_side(&counts, Sector::Academic),
            Vec::<usize>::new()
        );
    }
}
