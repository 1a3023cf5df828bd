"""Labelled duplicate sets built from real records, with the differences real exports show.

Shared by `tests/test_dedupe.py` and the `bench/` scripts (which put `tests/` on
`sys.path`); it is test tooling, not part of the product.

`labelled_set` takes real records (one per paper) and returns records that
each carry the paper they truly belong to (`truth`):

- the originals;
- perturbed copies of a share of them, as another database would export the
  same paper: changed case, punctuation, a missing DOI or PMID, an abbreviated
  journal, authors as 'Surname, I.' or 'SURNAME I' (sometimes cut to three and
  'et al.'), a 'The' added or dropped, HTML entities and tags, accents
  dropped, the odd typo, the online year instead of the print year, no
  abstract, title in [brackets] as MEDLINE writes translated titles;
- look-alikes that are NOT the same paper: an erratum or a comment on it, a
  'Part II', the conference abstract of it (a supplement, one year earlier,
  other pages), another paper with the same title by other authors.

The benchmark records (MEDLINE extracts) have no DOI, journal or pages, so each
original first gets a real journal name from `JOURNALS`, a DOI under Crossref's
test prefix 10.5555 and a page range (each often left out), so that the
perturbations of those fields have something to act on.
"""

from __future__ import annotations

import random
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field, replace
from pathlib import Path

from review.importers import read_file

JOURNALS = [
    ("New England Journal of Medicine", "N Engl J Med"),
    ("Journal of the American Medical Association", "JAMA"),
    ("British Journal of Clinical Pharmacology", "Br J Clin Pharmacol"),
    ("Journal of Clinical Psychiatry", "J Clin Psychiatry"),
    ("American Journal of Cardiology", "Am J Cardiol"),
    ("Journal of Hypertension", "J Hypertens"),
    ("Clinical Pharmacology and Therapeutics", "Clin Pharmacol Ther"),
    ("Journal of Allergy and Clinical Immunology", "J Allergy Clin Immunol"),
    ("American Journal of Psychiatry", "Am J Psychiatry"),
    ("European Journal of Clinical Pharmacology", "Eur J Clin Pharmacol"),
    ("Annals of Internal Medicine", "Ann Intern Med"),
    ("Archives of Internal Medicine", "Arch Intern Med"),
    ("Journal of the American College of Cardiology", "J Am Coll Cardiol"),
    ("Alimentary Pharmacology and Therapeutics", "Aliment Pharmacol Ther"),
    ("Journal of Urology", "J Urol"),
    ("Current Medical Research and Opinion", "Curr Med Res Opin"),
    ("Journal of Child and Adolescent Psychopharmacology", "J Child Adolesc Psychopharmacol"),
    ("Proceedings of the National Academy of Sciences of the United States of America", "Proc Natl Acad Sci U S A"),
    ("Diabetes Care", "Diabetes Care"),
    ("Headache", "Headache"),
]
ABBREVIATION = dict(JOURNALS)
ENTITIES = {"&": "&amp;", "<": "&lt;", ">": "&gt;", "é": "&eacute;", "ö": "&ouml;", "'": "&#39;", "ü": "&uuml;"}
NOTICE_PREFIXES = ("Erratum: ", "Correction to: ", "Comment on: ", "Reply to: ")


@dataclass
class Paper:
    """One bibliographic record in plain fields, with the paper it truly is."""

    id: str
    truth: str
    title: str
    authors: list[str] = field(default_factory=list)
    year: int | None = None
    journal: str | None = None
    volume: str | None = None
    pages: str | None = None
    doi: str | None = None
    pmid: str | None = None
    abstract: str | None = None


def read_papers(path: Path | str) -> list[Paper]:
    """Records of a RIS file as papers, one per PMID (the truth key); untitled records skipped."""
    papers, seen = [], set()
    for record in read_file(path).records:
        key = record.pmid or f"{Path(path).parent.name}:{record.source_id}"
        if not record.title or key in seen:
            continue
        seen.add(key)
        papers.append(
            Paper(
                id=key,
                truth=key,
                title=record.title,
                authors=list(record.authors),
                year=record.year,
                journal=record.journal,
                volume=record.volume,
                pages=record.pages,
                doi=record.doi,
                pmid=record.pmid,
                abstract=record.abstract,
            )
        )
    return papers


def enrich(paper: Paper, rng: random.Random) -> Paper:
    """Give a paper the journal, DOI and pages the MEDLINE extracts lack (often left out)."""
    start = rng.randint(1, 1800)
    return replace(
        paper,
        journal=paper.journal or (rng.choice(JOURNALS)[0] if rng.random() < 0.85 else None),
        volume=paper.volume or str(rng.randint(1, 120)),
        pages=paper.pages or (f"{start}-{start + rng.randint(2, 14)}" if rng.random() < 0.8 else None),
        doi=paper.doi or (f"10.5555/{paper.truth.replace(':', '.').lower()}" if rng.random() < 0.6 else None),
    )


def _reformat_author(name: str, style: str) -> str:
    """'Peter F Buckley' / 'T Le Chevalier' as 'Buckley, P. F.', 'BUCKLEY PF' or 'Buckley PF'."""
    parts = name.split()
    initial_like = [
        index
        for index, part in enumerate(parts[:-1])
        if len(part.replace(".", "")) <= 2 and part.replace(".", "").isupper()
    ]
    split = initial_like[-1] + 1 if initial_like else len(parts) - 1
    given, surname = parts[:split], " ".join(parts[split:])
    letters = "".join(part[0] for part in given)
    if style == "comma":
        return f"{surname}, {'. '.join(letters)}." if letters else surname
    if style == "upper":
        return f"{surname.upper()} {letters}".strip()
    return f"{surname} {letters}".strip()


def _without_accents(text: str) -> str:
    return "".join(char for char in unicodedata.normalize("NFKD", text) if not unicodedata.combining(char))


def _typo(text: str, rng: random.Random) -> str:
    words = [index for index, word in enumerate(text.split()) if len(word) > 6 and word.isalpha()]
    if not words:
        return text
    tokens = text.split()
    index = rng.choice(words)
    word = tokens[index]
    position = rng.randrange(1, len(word) - 2)
    tokens[index] = word[:position] + word[position + 1] + word[position] + word[position + 2 :]
    return " ".join(tokens)


def _with_entities(text: str, rng: random.Random) -> str:
    text = "".join(ENTITIES.get(char, char) for char in text)
    words = text.split()
    if len(words) > 3 and rng.random() < 0.5:
        index = rng.randrange(len(words))
        words[index] = f"<i>{words[index]}</i>"
    return " ".join(words)


def perturb(paper: Paper, copy_id: str, rng: random.Random) -> Paper:
    """Another database's export of the same paper."""
    title = paper.title
    case = rng.random()
    if case < 0.2:
        title = title.upper()
    elif case < 0.35:
        title = title.lower()
    elif case < 0.45:
        title = title.title()
    if rng.random() < 0.5:
        title = title.rstrip(".")
    if rng.random() < 0.3:
        title = title.replace(": ", " - ").replace("-", " ").replace(",", "")
    if rng.random() < 0.2:
        title = title[4:] if title.lower().startswith("the ") else "The " + title
    if rng.random() < 0.25:
        title = _with_entities(title, rng)
    if rng.random() < 0.05:
        title = f"[{title.rstrip('.')}]."
    if rng.random() < 0.08:
        title = _typo(title, rng)
    style = rng.choice(["comma", "upper", "medline", "same"])
    authors = paper.authors if style == "same" else [_reformat_author(name, style) for name in paper.authors]
    if len(authors) > 4 and rng.random() < 0.2:
        authors = authors[:3] + ["et al."]
    if rng.random() < 0.3:
        authors = [_without_accents(name) for name in authors]
    journal = paper.journal
    if journal and rng.random() < 0.5:
        journal = ABBREVIATION.get(journal, journal)
    pages = paper.pages
    if pages and rng.random() < 0.3:
        pages = pages.split("-")[0]
    shift_year = paper.year and rng.random() < 0.07
    return replace(
        paper,
        id=copy_id,
        title=title,
        authors=authors,
        year=paper.year + rng.choice((-1, 1)) if shift_year else paper.year,
        journal=journal if rng.random() < 0.9 else None,
        pages=pages if rng.random() < 0.85 else None,
        doi=paper.doi if rng.random() < 0.5 else None,
        pmid=paper.pmid if rng.random() < 0.3 else None,
        abstract=paper.abstract if rng.random() < 0.7 else None,
    )


def lookalike(paper: Paper, other: Paper, lookalike_id: str, rng: random.Random) -> Paper:
    """A different paper that resembles `paper` (`other` lends authors when needed)."""
    kind = rng.choice(["notice", "part", "conference", "same_title"])
    base = replace(paper, id=lookalike_id, truth=lookalike_id, doi=None, pmid=None, abstract=None)
    if kind == "notice":
        return replace(
            base,
            title=rng.choice(NOTICE_PREFIXES) + paper.title,
            year=(paper.year or 2000) + rng.randint(0, 1),
            pages=str(rng.randint(1, 1800)),
        )
    if kind == "part":
        return replace(
            base,
            title=f"{paper.title.rstrip('.')}. Part {rng.choice(['II', '2', 'III'])}.",
            pages=None,
            abstract=other.abstract,
        )
    if kind == "conference":
        journal = f"{paper.journal} Supplement" if paper.journal else "Abstracts of the Annual Scientific Meeting"
        return replace(base, journal=journal, year=(paper.year or 2000) - 1, pages=f"S{rng.randint(1, 400)}")
    return replace(
        base,
        authors=list(other.authors),
        year=(paper.year or 2000) + rng.choice((-4, -3, -2, 2, 3, 4)),
        journal=other.journal,
        pages=other.pages,
    )


def labelled_set(
    papers: list[Paper], seed: int, duplicate_share: float = 0.5, mean_copies: float = 1.5, lookalike_share: float = 0.1
) -> list[Paper]:
    """Originals, perturbed copies of `duplicate_share` of them and look-alikes, shuffled."""
    rng = random.Random(seed)
    originals = [enrich(paper, rng) for paper in papers]
    out = list(originals)
    whole, fraction = int(mean_copies), mean_copies - int(mean_copies)
    for paper in originals:
        if rng.random() < duplicate_share:
            copies = max(1, whole + (rng.random() < fraction))
            out.extend(perturb(paper, f"{paper.id}#copy{n}", rng) for n in range(copies))
        if rng.random() < lookalike_share:
            out.append(lookalike(paper, rng.choice(originals), f"{paper.id}#other", rng))
    rng.shuffle(out)
    return out


def to_ris(papers: list[Paper]) -> str:
    """Papers as RIS, `ID` = the paper's id (so a project's `source_id` leads back to the truth)."""
    lines = []
    for paper in papers:
        lines.append("TY  - JOUR")
        lines.extend(f"AU  - {name}" for name in paper.authors)
        fields = [
            ("TI", paper.title),
            ("PY", paper.year),
            ("T2", paper.journal),
            ("VL", paper.volume),
            ("DO", paper.doi),
            ("AN", paper.pmid),
            ("AB", paper.abstract),
            ("ID", paper.id),
        ]
        if paper.pages:
            start, _, end = paper.pages.partition("-")
            fields[4:4] = [("SP", start), ("EP", end or None)]
        lines.extend(f"{tag}  - {value}" for tag, value in fields if value)
        lines.extend(["ER  - ", ""])
    return "\n".join(lines)


def _pairs(sizes: Counter) -> int:
    return sum(size * (size - 1) // 2 for size in sizes.values())


def pair_precision_recall(predicted: dict[str, object], truth: dict[str, str]) -> dict:
    """Pairwise precision and recall of predicted groups against true ones.

    `predicted` and `truth` map each record id to its group; a pair counts when
    both records are in one group.
    """
    predicted_pairs = _pairs(Counter(predicted.values()))
    true_pairs = _pairs(Counter(truth.values()))
    found = _pairs(Counter((predicted[key], truth[key]) for key in predicted))
    return {
        "true_pairs": true_pairs,
        "predicted_pairs": predicted_pairs,
        "correct_pairs": found,
        "precision": found / predicted_pairs if predicted_pairs else 1.0,
        "recall": found / true_pairs if true_pairs else 1.0,
    }


def truth_key(paper_id: str) -> str:
    """The true paper of a record id written by `labelled_set` ('123#copy0' -> '123')."""
    return re.sub(r"#copy\d+$", "", paper_id)
