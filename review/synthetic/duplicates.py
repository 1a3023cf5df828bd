"""Labelled duplicate sets built from real records, with the differences real exports show.

Shared by `tests/test_dedupe.py` and the `bench/` scripts; it is test tooling,
not part of the product, and every file it writes says it is synthetic.

`labelled_set` takes real records (one per paper) and returns records that
each carry the paper they truly belong to (`truth`):

- the originals; some of them are conference abstracts (a supplement issue,
  abstract-number pages, sometimes no authors but 'Anonymous');
- copies of a share of them as another database would export the same paper:
  - MEDLINE: authors 'Surname AB', the NLM journal abbreviation or the full
    title with its qualifier ('BMJ (Clinical research ed.)'), abbreviated page
    ranges ('221-8');
  - Embase: authors 'Surname A.B.', sometimes run together in one field
    ('Adeli K.Lewis G.F.') or replaced by the study group, the journal with a
    conference suffix for meeting abstracts ('Circulation. Conference: ...'),
    '(no pagination)', DOIs as resolver URLs (URL-encoded in links), Greek
    letters and sub/superscript tags in titles, 'NA' for missing values, and
    one supplement DOI shared by the abstracts of a meeting;
  - Web of Science: upper-case titles and journals ('ENDOCR REV'), authors
    'Surname, AB';
  - Scopus: all authors in one comma-separated field;
  and, whatever the database: changed case and punctuation, a 'The' added or
  dropped, HTML entities, accents dropped, the odd typo, the online year
  instead of the print year, fields left out, titles in [brackets];
- look-alikes that are NOT the same paper, some exported more than once
  themselves: an erratum, a correction in Web of Science's form ('... (vol 33,
  pg 221, 2012)'), a comment or reply; 'Part II' of a 'Part I'; the
  conference abstract of the study (a year earlier or the same year, a
  meeting venue, its own abstract); a companion paper by the same authors
  with one word of the title changed; another paper with the same title by
  other authors in another journal and year.

The benchmark records (MEDLINE extracts) have no DOI, journal or pages, so each
original first gets a real journal name from `JOURNALS`, a DOI under Crossref's
test prefix 10.5555 and a page range (each often left out), so that the
perturbations of those fields have something to act on.
"""

from __future__ import annotations

import csv
import io
import random
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field, replace
from pathlib import Path

from review.importers import read_file

SYNTHETIC_NOTE = "SYNTHETIC test data made by review.synthetic.duplicates from real MEDLINE records; not a real export"
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
    ("Endocrine Reviews", "Endocr Rev"),
    ("Circulation", "Circulation"),
    ("Hypertension", "Hypertension"),
    ("British Medical Journal", "BMJ"),
    ("Lancet", "Lancet"),
    ("Diabetologia", "Diabetologia"),
]
ABBREVIATION = dict(JOURNALS)
MEDLINE_TITLE = {  # NLM's full title with its qualifier, where it has one
    "British Medical Journal": "BMJ (Clinical research ed.)",
    "Lancet": "Lancet (London, England)",
    "Hypertension": "Hypertension (Dallas, Tex. : 1979)",
    "Headache": "Headache: The Journal of Head and Face Pain",
}
MEETINGS = [
    "American Heart Association's Scientific Sessions",
    "Annual Meeting of the Endocrine Society",
    "European Atherosclerosis Society Congress",
    "Scientific Sessions of the American Diabetes Association",
    "Annual Congress of the European Association for the Study of Diabetes",
    "Annual Meeting of the American Psychiatric Association",
]
CITIES = ["Los Angeles, CA United States", "Houston, TX United States", "Gothenburg Sweden", "Barcelona Spain"]
GREEK = {"alpha": "α", "beta": "β", "gamma": "γ", "kappa": "κ", "delta": "δ"}
ENTITIES = {"&": "&amp;", "<": "&lt;", ">": "&gt;", "é": "&eacute;", "ö": "&ouml;", "'": "&#39;", "ü": "&uuml;"}
NOTICE_KINDS = ("Erratum: ", "Correction to: ", "Comment on: ", "Reply to: ", "Re: ", "wos")
MISSING = "NA"
DATABASES = ("medline", "embase", "wos", "scopus")


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
    issue: str | None = None
    pages: str | None = None
    doi: str | None = None
    pmid: str | None = None
    abstract: str | None = None
    url: str | None = None
    type: str = "JOUR"
    meeting: str | None = None  # the meeting a conference abstract was given at
    database: str | None = None  # the database whose export this copy imitates


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
                issue=record.issue,
                pages=record.pages,
                doi=record.doi,
                pmid=record.pmid,
                abstract=record.abstract,
            )
        )
    return papers


def _page_range(rng: random.Random) -> str:
    start = rng.randint(1, 1800)
    return f"{start}-{start + rng.randint(2, 14)}"


def _doi(paper: Paper, rng: random.Random) -> str:
    key = paper.truth.replace(":", ".").replace("#", ".").lower()
    if rng.random() < 0.2:  # Elsevier's old form, with parentheses that links URL-encode
        return f"10.5555/S{rng.randint(1000, 9999)}-{rng.randint(1000, 9999)}({rng.randint(90, 99)}){key}"
    return f"10.5555/{key}"


def as_meeting_abstract(paper: Paper, rng: random.Random, meeting: str | None = None) -> Paper:
    """The paper as a conference abstract: a supplement issue, an abstract number for pages, sometimes no authors."""
    meeting = meeting or rng.choice(MEETINGS)
    number = rng.randint(1, 999)
    return replace(
        paper,
        issue=f"{rng.randint(1, 24)} Suppl {rng.randint(1, 3)}",
        pages=rng.choice([f"A{number}", f"S{number}", None]),
        type=rng.choice(["ABST", "CONF", "JOUR"]),
        meeting=f"{rng.randint(20, 90)}th {meeting}",
        authors=paper.authors if rng.random() < 0.85 else ["Anonymous"],
    )


def enrich(paper: Paper, rng: random.Random, meeting_share: float = 0.1) -> Paper:
    """Give a paper the journal, DOI and pages the MEDLINE extracts lack (often left out).

    A `meeting_share` of them become conference abstracts.
    """
    enriched = replace(
        paper,
        journal=paper.journal or (rng.choice(JOURNALS)[0] if rng.random() < 0.85 else None),
        volume=paper.volume or str(rng.randint(1, 120)),
        issue=paper.issue or (str(rng.randint(1, 12)) if rng.random() < 0.7 else None),
        pages=paper.pages or (_page_range(rng) if rng.random() < 0.8 else None),
        doi=paper.doi or (_doi(paper, rng) if rng.random() < 0.6 else None),
    )
    if enriched.journal and rng.random() < meeting_share:
        return as_meeting_abstract(enriched, rng)
    return enriched


def _split_name(name: str) -> tuple[list[str], str]:
    """'Peter F Buckley' / 'T Le Chevalier' -> (['Peter', 'F'], 'Buckley') / (['T'], 'Le Chevalier')."""
    parts = name.split()
    initial_like = [
        index
        for index, part in enumerate(parts[:-1])
        if len(part.replace(".", "")) <= 2 and part.replace(".", "").isupper()
    ]
    split = initial_like[-1] + 1 if initial_like else len(parts) - 1
    return parts[:split], " ".join(parts[split:])


def _reformat_author(name: str, style: str) -> str:
    """'Peter F Buckley' as 'Buckley, P. F.', 'BUCKLEY PF', 'Buckley PF', 'Buckley P.F.' or 'Buckley, PF'."""
    if name in ("et al.", "Anonymous"):
        return name
    given, surname = _split_name(name)
    letters = "".join(part[0] for part in given)
    if not letters:
        return surname
    return {
        "comma": f"{surname}, {'. '.join(letters)}.",
        "upper": f"{surname.upper()} {letters}",
        "medline": f"{surname} {letters}",
        "embase": f"{surname} {'.'.join(letters)}.",
        "wos": f"{surname}, {letters}",
    }[style]


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


def _embase_title(title: str, rng: random.Random) -> str:
    """Greek letters as symbols ('beta-blockers' -> 'β-blockers'), digits after letters as subscripts."""
    for word, letter in GREEK.items():
        title = re.sub(rf"\b{word}\b", letter, title, flags=re.IGNORECASE)
    if rng.random() < 0.5:
        title = re.sub(r"(?<=[A-Za-z])(\d)\b", r"<sub>\1</sub>", title)
    return title


def _abbreviate_pages(pages: str) -> str:
    """MEDLINE's page ranges: '1097-1105' -> '1097-105', '221-228' -> '221-8'."""
    start, _, end = pages.partition("-")
    if not (start.isdigit() and end.isdigit()) or len(start) != len(end):
        return pages
    keep = next((index for index, (a, b) in enumerate(zip(start, end)) if a != b), len(end) - 1)
    return f"{start}-{end[keep:]}"


def _upper_abbreviation(journal: str) -> str:
    return ABBREVIATION.get(journal, journal).upper()


def _general_changes(paper: Paper, rng: random.Random) -> Paper:
    """What any database may do to a record: case, punctuation, typos, year, fields left out."""
    title = paper.title
    case = rng.random()
    if case < 0.15:
        title = title.upper()
    elif case < 0.3:
        title = title.lower()
    elif case < 0.4:
        title = title.title()
    if rng.random() < 0.5:
        title = title.rstrip(".")
    if rng.random() < 0.3:
        title = title.replace(": ", " - ").replace("-", " ").replace(",", "")
    if rng.random() < 0.2 and not title.startswith(tuple(NOTICE_KINDS)):
        title = title[4:] if title.lower().startswith("the ") else "The " + title
    if rng.random() < 0.2:
        title = _with_entities(title, rng)
    if rng.random() < 0.05:
        title = f"[{title.rstrip('.')}]."
    if rng.random() < 0.08:
        title = _typo(title, rng)
    authors = paper.authors
    if len(authors) > 4 and rng.random() < 0.2:
        authors = authors[:3] + ["et al."]
    if rng.random() < 0.3:
        authors = [_without_accents(name) for name in authors]
    shift_year = paper.year and rng.random() < 0.07
    return replace(
        paper,
        title=title,
        authors=authors,
        year=paper.year + rng.choice((-1, 1)) if shift_year else paper.year,
        journal=paper.journal if rng.random() < 0.9 else None,
        volume=paper.volume if rng.random() < 0.9 else None,
        issue=paper.issue if rng.random() < 0.8 else None,
        pages=paper.pages if rng.random() < 0.85 else None,
        doi=paper.doi if rng.random() < 0.5 else None,
        pmid=paper.pmid if rng.random() < 0.3 else None,
        abstract=paper.abstract if rng.random() < 0.7 else None,
    )


def _as_medline(paper: Paper, rng: random.Random) -> Paper:
    journal = paper.journal
    if journal:
        journal = MEDLINE_TITLE.get(journal, journal) if rng.random() < 0.4 else ABBREVIATION.get(journal, journal)
    pages = paper.pages
    if pages and rng.random() < 0.7:
        pages = _abbreviate_pages(pages)
    authors = [_reformat_author(name, "medline") for name in paper.authors if name != "Anonymous"]
    return replace(paper, journal=journal, pages=pages, authors=authors)


def _as_embase(paper: Paper, rng: random.Random, supplement_dois: dict[str, str]) -> Paper:
    authors = [_reformat_author(name, "embase") for name in paper.authors]
    if len(authors) > 1 and rng.random() < 0.25:
        authors = ["".join(authors)]  # the export ran the names together
    elif authors and rng.random() < 0.05:
        authors = [f"{paper.title.split()[0].upper()} Study Group"]
    journal, pages, doi, url = paper.journal, paper.pages, paper.doi, None
    if paper.meeting and journal:
        journal = f"{journal}. Conference: {paper.meeting}. {rng.choice(CITIES)}"
        pages = pages if rng.random() < 0.5 else "(no pagination)"
        if rng.random() < 0.3:
            doi = supplement_dois.setdefault(f"{paper.journal}{paper.year}", f"10.5555/suppl.{len(supplement_dois)}")
    if doi and rng.random() < 0.5:
        url, doi = f"http://dx.doi.org/{doi.replace('(', '%28').replace(')', '%29')}", None
    elif doi and rng.random() < 0.5:
        doi = f"http://dx.doi.org/{doi}"
    title = _embase_title(paper.title, rng) if rng.random() < 0.7 else paper.title
    return replace(paper, title=title, authors=authors, journal=journal, pages=pages, doi=doi, url=url)


def _as_wos(paper: Paper, rng: random.Random) -> Paper:
    journal = paper.journal
    if journal:
        journal = journal.upper() if rng.random() < 0.6 else _upper_abbreviation(journal)
    authors = [_reformat_author(name, "wos") for name in paper.authors if name != "Anonymous"]
    title = paper.title.upper() if rng.random() < 0.5 else paper.title
    return replace(paper, title=title, journal=journal, authors=authors, pmid=None)


def _as_scopus(paper: Paper, rng: random.Random) -> Paper:
    authors = [_reformat_author(name, "embase") for name in paper.authors if name != "Anonymous"]
    if len(authors) > 1 and rng.random() < 0.5:
        authors = [", ".join(authors)]
    return replace(paper, authors=authors)


def _missing_as_na(paper: Paper, rng: random.Random) -> Paper:
    """Exports made through R or a spreadsheet write 'NA' where a value is missing."""
    names = ("journal", "volume", "issue", "pages", "doi", "pmid", "abstract")
    return replace(paper, **{name: MISSING for name in names if getattr(paper, name) is None and rng.random() < 0.7})


def perturb(paper: Paper, copy_id: str, rng: random.Random, supplement_dois: dict[str, str] | None = None) -> Paper:
    """Another database's export of the same paper."""
    database = rng.choice(DATABASES)
    copy = replace(_general_changes(paper, rng), id=copy_id, database=database)
    if database == "medline":
        copy = _as_medline(copy, rng)
    elif database == "embase":
        copy = _as_embase(copy, rng, supplement_dois if supplement_dois is not None else {})
        if rng.random() < 0.5:
            copy = _missing_as_na(copy, rng)
    elif database == "wos":
        copy = _as_wos(copy, rng)
    else:
        copy = _as_scopus(copy, rng)
    return copy


def _notice_title(paper: Paper, rng: random.Random) -> str:
    kind = rng.choice(NOTICE_KINDS)
    if kind == "wos":
        return f"{paper.title.rstrip('.')} (vol {paper.volume or 12}, pg {paper.pages or 1}, {paper.year or 2000})"
    return kind + paper.title


def _conference_abstract_text(abstract: str | None, rng: random.Random) -> str | None:
    """An abstract written for the meeting: fewer sentences, other figures."""
    if not abstract:
        return None
    sentences = [sentence for sentence in re.split(r"(?<=\.)\s+", abstract) if sentence]
    kept = [sentence for sentence in sentences[1:] if rng.random() < 0.5] or sentences[-1:]
    return re.sub(r"\d+", lambda match: str(int(match.group(0)) + rng.randint(1, 9)), " ".join(kept))


def _companion_title(title: str, other: Paper, rng: random.Random) -> str | None:
    """The title with one longer word swapped for a word of another title (same authors' next paper)."""
    words = title.split()
    candidates = [index for index, word in enumerate(words) if len(word) > 4 and word.isalpha()]
    replacements = [word for word in other.title.split() if len(word) > 4 and word.isalpha()]
    if not candidates or not replacements:
        return None
    index = rng.choice(candidates)
    replacement = rng.choice(replacements)
    if replacement.lower() == words[index].lower():
        return None
    words[index] = replacement
    return " ".join(words)


def lookalike(paper: Paper, other: Paper, lookalike_id: str, rng: random.Random) -> Paper:
    """A different paper that resembles `paper` (`other` lends authors, a journal and words when needed)."""
    kind = rng.choice(["notice", "part", "conference", "conference", "companion", "same_title"])
    base = replace(paper, id=lookalike_id, truth=lookalike_id, doi=None, pmid=None, abstract=None, database=None)
    year = paper.year or 2000
    pages = (lambda: f"A{rng.randint(1, 999)}") if paper.meeting else (lambda: _page_range(rng))
    if kind == "notice":
        return replace(
            base, title=_notice_title(paper, rng), year=year + rng.randint(0, 1), pages=str(rng.randint(1, 1800))
        )
    if kind == "part":
        return replace(
            base,
            title=f"{paper.title.rstrip('.')}. Part {rng.choice(['II', '2', 'III'])}.",
            pages=pages() if paper.pages else None,
            abstract=other.abstract,
        )
    if kind == "conference" and paper.journal and not paper.meeting:
        abstract = as_meeting_abstract(base, rng)
        return replace(
            abstract,
            year=year - (rng.random() < 0.7),
            volume=str(int(paper.volume) - 1) if paper.volume and paper.volume.isdigit() else paper.volume,
            abstract=_conference_abstract_text(paper.abstract, rng),
            authors=paper.authors[: max(1, len(paper.authors) - rng.randint(0, 2))],
        )
    companion = _companion_title(paper.title, other, rng) if kind == "companion" else None
    if companion:
        return replace(base, title=companion, pages=pages(), abstract=other.abstract)
    return replace(
        base,
        authors=list(other.authors),
        year=year + rng.choice((-4, -3, -2, 2, 3, 4)),
        journal=other.journal,
        volume=other.volume,
        pages=other.pages,
        meeting=None,
    )


def labelled_set(
    papers: list[Paper], seed: int, duplicate_share: float = 0.5, mean_copies: float = 1.5, lookalike_share: float = 0.1
) -> list[Paper]:
    """Originals, perturbed copies of `duplicate_share` of them and look-alikes (some copied too), shuffled."""
    rng = random.Random(seed)
    originals = [enrich(paper, rng) for paper in papers]
    supplement_dois: dict[str, str] = {}
    out: list[Paper] = []
    whole, fraction = int(mean_copies), mean_copies - int(mean_copies)

    def with_copies(paper: Paper, share: float) -> None:
        out.append(paper)
        if rng.random() < share:
            copies = max(1, whole + (rng.random() < fraction))
            out.extend(perturb(paper, f"{paper.id}#copy{n}", rng, supplement_dois) for n in range(copies))

    for paper in originals:
        if rng.random() < lookalike_share:
            other = lookalike(paper, rng.choice(originals), f"{paper.id}#other", rng)
            if "Part " in other.title and rng.random() < 0.5:
                paper = replace(paper, title=f"{paper.title.rstrip('.')}. Part I.")
            with_copies(other, duplicate_share / 2)
        with_copies(paper, duplicate_share)
    rng.shuffle(out)
    return out


def _ris_fields(paper: Paper) -> list[tuple[str, object]]:
    fields: list[tuple[str, object]] = [
        ("TI", paper.title),
        ("PY", paper.year),
        ("T2", paper.journal),
        ("VL", paper.volume),
        ("IS", paper.issue),
        ("DO", paper.doi),
        ("AN", paper.pmid),
        ("AB", paper.abstract),
        ("UR", paper.url),
        ("ID", paper.id),
    ]
    if paper.pages:
        start, _, end = paper.pages.partition("-")
        fields[5:5] = [("SP", start), ("EP", end or None)]
    return fields


def to_ris(papers: list[Paper]) -> str:
    """Papers as RIS, `ID` = the paper's id (so a project's `source_id` leads back to the truth).

    The file starts with a note, before the first record, that it is synthetic.
    """
    return "\n".join([SYNTHETIC_NOTE, "", *(ris_record(paper) for paper in papers)])


def ris_record(paper: Paper) -> str:
    """One paper as a RIS record, ending in a blank line (so a large file can be written record by record)."""
    lines = [f"TY  - {paper.type}", *(f"AU  - {name}" for name in paper.authors)]
    lines.extend(f"{tag}  - {value}" for tag, value in _ris_fields(paper) if value)
    return "\n".join([*lines, "ER  - ", ""])


CSV_COLUMNS = ("Title", "Authors", "Year", "Journal", "Volume", "Issue", "Pages", "DOI", "PMID", "Abstract", "Type")


def to_csv(papers: list[Paper]) -> str:
    """Papers as an Embase-like CSV (authors joined by '; ', 'NA' kept as written), `ID` = the paper's id.

    The header says that the file is synthetic, in a last column that every row marks too.
    """
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([*CSV_COLUMNS, "ID", f"Note: {SYNTHETIC_NOTE}"])
    for paper in papers:
        values = [paper.title, "; ".join(paper.authors), paper.year, paper.journal, paper.volume, paper.issue]
        values += [paper.pages, paper.doi or paper.url, paper.pmid, paper.abstract, paper.type]
        writer.writerow([value if value is not None else "" for value in values] + [paper.id, "SYNTHETIC"])
    return out.getvalue()


def write_exports(papers: list[Paper], folder: Path) -> list[Path]:
    """The set as the files a review team would import: Embase copies as CSV, everything else as RIS."""
    embase = [paper for paper in papers if paper.database == "embase"]
    rest = [paper for paper in papers if paper.database != "embase"]
    folder.mkdir(parents=True, exist_ok=True)
    paths = [folder / "databases.ris"]
    paths[0].write_text(to_ris(rest), encoding="utf-8")
    if embase:
        paths.append(folder / "embase.csv")
        paths[1].write_text(to_csv(embase), encoding="utf-8")
    return paths


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
