"""Build fixtures/2006-L3.json: the Level 3 N/SVQ in Customer Service (2006 standards).

Two seed texts:
- 001_557abe537dc8c422.txt: Appendix 1 unit recording forms (20 units in the 2006 numbering, one row per
  criterion, e.g. "301.1.1 explain how ...", with a column per numbered evidence requirement) and
  Appendix 2 generic forms. No rules of combination, no outcome titles, no level/credit/GLH.
- 000_039df3884ff5685a.txt: ICS "Evidence Requirements for Customer Service S/NVQs Levels 2, 3 and 4",
  January 2006: numbered evidence requirements (with lettered sub-items) for ICS units 1 and 5-48.
  The recording-form columns are these numbers.

Each 2006 unit is matched to its ICS unit by title, and that ICS unit's requirements become the 2006
unit's EvidenceRequirement rows. The recording form's columns are checked against the ICS
requirements; every mismatch is recorded as a defect, never fixed.

Run: .venv/bin/python tools/catalogue/build_2006.py   (SEEDS_DIR overrides the seed folder)
"""

import difflib
import os
import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from fixture_writer import FixtureBuilder  # noqa: E402

REPO = Path(__file__).resolve().parents[2]
SEEDS = Path(os.environ.get("SEEDS_DIR") or Path(__file__).resolve().parents[3] / "shared" / "seeds")
FORMS_FILE = "001_557abe537dc8c422.txt"
ICS_FILE = "000_039df3884ff5685a.txt"
OUT = REPO / "fixtures" / "2006-L3.json"

CODE = "CS-L3-2006"
SCHEME = "2006"
EXPECTED_CRITERIA = 271
EXPECTED_UNITS = 20

UNIT_HEADING = re.compile(r"^\s*Unit (\d{3}) (.+?)\s*$")
CRITERION_ROW = re.compile(r"^\s*(\d{3})\.(\d+)\.(\d+) (.+?)\s*$")
ICS_HEADING = re.compile(r"^Unit (\d+)\.? - (.+?)\s*$")
ICS_ITEM = re.compile(r"^(\d+)\. (.+?)\s*$")
ICS_SUBITEM = re.compile(r"^ - ([a-z])\.? (.+?)\s*$")
AT_LEAST = re.compile(r"\bat least (two|three|four|five|six)\b")
NUMBER_WORDS = {"two": 2, "three": 3, "four": 4, "five": 5, "six": 6}

# Printing slips inside criterion rows: kept as printed, flagged on the row.
ROW_SLIPS = {
    "206.3.4": "Prints 'y our' (probably 'your'); kept as printed.",
    "207.3.2": "Prints 'the outcome of the contract' (probably 'contact'); kept as printed.",
    "310.1.3": "Prints 'a void' (probably 'avoid'); kept as printed.",
    "312.1.4": "Prints 'approve trail or full implementation' (probably 'trial'); kept as printed.",
}

OUTCOME_TITLE = "Outcome {n} (title not printed in the source)"
NOT_IN_SOURCES = "Level, credit value and guided learning hours are not given in the sources (left empty)."
OUTCOME_NOTE = (
    "Outcome titles are not printed on the recording forms: each outcome is the middle number of the "
    "criterion references (e.g. {unit}.1.1 is outcome 1) and is titled 'Outcome N (title not printed in "
    "the source)'."
)
KIND_RULE = {
    "knowledge": (
        "Criterion kind: knowledge. The unit title starts '{word}' and ICS unit {ics} asks for evidence "
        "that you are competent to describe or explain (question and answer, verbal or written)."
    ),
    "performance": (
        "Criterion kind: performance. The rows are what the candidate must do; ICS unit {ics} speaks of "
        "'performance evidence' (the rows are not marked knowledge on the form)."
    ),
}


def clean(text):
    """Repair extraction damage only: markdown emphasis markers, runs of spaces, outer spaces."""
    text = text.replace("**", "").replace("*(", "(").replace(")*", ")")
    return re.sub(r"\s+", " ", text).strip()


def title_key(title):
    """Loose title key for matching 2006 titles to ICS titles (case, apostrophes, plurals)."""
    words = re.sub(r"[^a-z ]", "", title.lower().replace("\u2019", "").replace("'", "")).split()
    return " ".join(w.rstrip("s") for w in words)


def letter_runs(letters):
    """'abcdabab' -> 'a–d, a–b, a–b' style grouping for messages (a new group starts at 'a')."""
    groups, current = [], ""
    for ch in letters:
        if ch == "a" and current:
            groups.append(current)
            current = ""
        current += ch
    if current:
        groups.append(current)
    return " / ".join(" ".join(g) for g in groups)


# ---------------------------------------------------------------- recording forms (seed 001)


def parse_forms(text):
    """Return the units of Appendix 1 in order of appearance.

    Each: number, headings (titles as printed on each page), columns (evidence-requirement column
    numbers from the first page), uk_letters, er_letters (lettered sub-columns, '-' for an empty cell
    between letters), rows [(unit_prefix, outcome, number, ref, text)].
    """
    lines = text.split("\n")
    end = next(i for i, line in enumerate(lines) if line.strip().startswith("Appendix 2"))
    units, current = {}, None
    i = 0
    while i < end:
        line = lines[i]
        heading = UNIT_HEADING.match(line)
        if heading:
            number, title = heading.groups()
            current = units.setdefault(
                number,
                {
                    "number": number,
                    "headings": [],
                    "columns": None,
                    "uk_letters": "",
                    "er_letters": "",
                    "rows": [],
                    "has_uk": False,
                },
            )
            current["headings"].append(clean(title))
            standards = next(j for j in range(i + 1, end) if lines[j].strip())
            if lines[standards].strip() == "Standards":  # a page's heading, not its footer
                i = _parse_form_header(lines, standards, current)
                continue
        row = CRITERION_ROW.match(line)
        if row:
            prefix, outcome, number, body = row.groups()
            ref = f"{prefix}.{outcome}.{number}"
            current["rows"].append((prefix, int(outcome), int(number), ref, clean(body)))
        i += 1
    return list(units.values())


def _parse_form_header(lines, start, unit):
    """Read the header rows (empty line = row break, tab-only line = empty cell) up to the first criterion."""
    rows, cells, i = [], [], start
    while not CRITERION_ROW.match(lines[i]) and not lines[i].strip().startswith("Assessor signature"):
        if lines[i] == "":
            if cells:
                rows.append(cells)
            cells = []
        else:
            cells.append(lines[i].strip())
        i += 1
    if cells:
        rows.append(cells)
    first_row = rows[0]
    has_uk = "U/K" in first_row
    columns = [int(c) for row in rows[1:] for c in row if c.isdigit()]
    # empty cells and single letters; header words wrapped onto a later row ("Ref:") are skipped
    letter_cells = [c for row in rows[1:] for c in row if c == "" or re.fullmatch(r"[a-z]", c)]
    # With a U/K column, the first run of letters is that column's sub-columns.
    runs, run = [], []
    for cell in letter_cells:
        if cell:
            run.append(cell)
        elif run:
            runs.append(run)
            run = []
    if run:
        runs.append(run)
    uk = runs.pop(0) if has_uk and runs else []
    # ER sub-columns: from the first ER letter to the last, an empty cell in between shown as '-'
    flat = "".join(c if c else "-" for c in letter_cells)
    if uk:
        flat = flat[flat.index("".join(uk)) + len(uk) :]
    er = flat.strip("-")
    if unit["columns"] is None:
        unit.update(columns=columns, uk_letters="".join(uk), er_letters=er, has_uk=has_uk)
    elif (columns, er) != (unit["columns"], unit["er_letters"]):
        raise SystemExit(f"unit {unit['number']}: the form's continuation page has different columns")
    return i


# ---------------------------------------------------------------- ICS evidence requirements (seed 000)


def parse_ics(text):
    """Return {ics_number: {"title", "items": [{"ref", "text", "subs": [(letter, text)]}]}}."""
    units, current = {}, None
    for raw in text.split("\n"):
        if not raw.strip():
            continue
        heading = ICS_HEADING.match(raw)
        if heading:
            current = units[int(heading.group(1))] = {"title": clean(heading.group(2)), "items": []}
            continue
        if current is None:
            continue  # cover page: title, date, the awarding bodies
        item = ICS_ITEM.match(raw)
        sub = ICS_SUBITEM.match(raw)
        if item:
            expected = len(current["items"]) + 1
            if int(item.group(1)) != expected:
                raise SystemExit(
                    f"ICS unit {current['title']}: item {item.group(1)} where {expected} expected"
                )
            current["items"].append({"ref": item.group(1), "text": clean(item.group(2)), "subs": []})
        elif sub:
            current["items"][-1]["subs"].append((sub.group(1), clean(sub.group(2))))
        else:
            raise SystemExit(f"unrecognised line in the ICS text: {raw!r}")
    return units


def match_ics(title, ics):
    """The ICS unit whose title matches the 2006 title: exact on the loose key, else the closest."""
    exact = [n for n, u in ics.items() if title_key(u["title"]) == title_key(title)]
    if len(exact) == 1:
        return exact[0]
    scored = sorted(
        (
            (difflib.SequenceMatcher(None, title_key(u["title"]), title_key(title)).ratio(), n)
            for n, u in ics.items()
        ),
        reverse=True,
    )
    (best, number), (second, _) = scored[0], scored[1]
    if best < 0.85 or best - second < 0.1:
        raise SystemExit(f"no unambiguous ICS match for {title!r}: {scored[:3]}")
    return number


def permissions(first_item):
    """rwe_allowed, simulation_allowed and the exact permission wording from requirement 1."""
    sentences = re.split(r"(?<=\.) ", first_item)
    wording = [s for s in sentences if "realistic working environment" in s or "Simulation" in s]
    wording = [s for s in wording if not s.startswith("(Guidelines")]
    joined = " ".join(wording)
    if "is not permissible" in joined:
        rwe = False
    elif "is permissible" in joined:
        rwe = True
    else:
        rwe = None
    if "Simulation is not allowed" in joined:
        simulation = False
    elif "Simulation is also allowed" in joined:
        simulation = True
    else:
        simulation = None
    guideline = [s for s in sentences if s.startswith("(Guidelines")]
    return rwe, simulation, " ".join(wording + guideline)


def min_count(text):
    found = AT_LEAST.search(text)
    return NUMBER_WORDS[found.group(1)] if found else None


# ---------------------------------------------------------------- build


def build():
    forms = parse_forms((SEEDS / FORMS_FILE).read_text(encoding="utf-8"))
    ics = parse_ics((SEEDS / ICS_FILE).read_text(encoding="utf-8"))
    if len(forms) != EXPECTED_UNITS:
        raise SystemExit(f"expected {EXPECTED_UNITS} units on the recording forms, found {len(forms)}")
    total_rows = sum(len(u["rows"]) for u in forms)
    if total_rows != EXPECTED_CRITERIA:
        raise SystemExit(f"expected {EXPECTED_CRITERIA} criterion rows, found {total_rows}")

    fb = FixtureBuilder()
    qualification_defects = []
    for order, form in enumerate(forms, start=1):
        number = form["number"]
        unit_ref = f"{SCHEME}-{number}"
        unit_defects, notes = [], []

        # title: the printed heading; where the pages disagree, the one closest to the ICS title
        ics_number = match_ics(form["headings"][0], ics)
        ics_unit = ics[ics_number]
        variants = list(dict.fromkeys(form["headings"]))
        title = max(variants, key=lambda t: difflib.SequenceMatcher(None, t, ics_unit["title"]).ratio())
        for other in variants:
            if other != title:
                unit_defects.append(f"The form's pages print the title two ways: '{other}' and '{title}'.")
        notes.append(f"ICS unit {ics_number}")
        if title != ics_unit["title"]:
            notes.append(f"The ICS evidence requirements title this unit '{ics_unit['title']}'.")
        if title_key(title) != title_key(ics_unit["title"]):
            unit_defects.append(
                f"Title '{title}' differs in wording from ICS unit {ics_number} '{ics_unit['title']}'; "
                f"matched by closest title and by the form's evidence-requirement columns."
            )
        notes.append(NOT_IN_SOURCES)
        notes.append(OUTCOME_NOTE.format(unit=number))

        # kind: knowledge units are the "Know ..."/"Understand ..." ones, which ICS assesses by describe/explain
        first_word = title.split()[0]
        ics_text = " ".join(item["text"] for item in ics_unit["items"])
        knowledge = first_word in ("Know", "Understand")
        if knowledge != ("describe or explain" in ics_text):
            raise SystemExit(f"unit {number}: title and ICS text disagree about knowledge vs performance")
        kind = "knowledge" if knowledge else "performance"
        notes.append(KIND_RULE[kind].format(word=first_word, ics=ics_number))

        # the form's columns against the ICS requirements
        n_ics = len(ics_unit["items"])
        columns = form["columns"]
        ics_letters = "".join(letter for item in ics_unit["items"] for letter, _ in item["subs"])
        if columns != list(range(1, len(columns) + 1)):
            unit_defects.append(f"The form's evidence-requirement columns are not numbered 1..n: {columns}.")
        if len(columns) == n_ics:
            notes.append(
                f"The form's evidence-requirement columns 1–{len(columns)} match the {n_ics} numbered "
                f"requirements of ICS unit {ics_number}."
            )
        else:
            defect = (
                f"The recording form prints evidence-requirement columns 1–{len(columns)}, but ICS unit "
                f"{ics_number} has {n_ics} numbered evidence requirements."
            )
            unit_defects.append(defect)
            qualification_defects.append(f"Unit {number}: {defect}")
        if form["er_letters"] != ics_letters:
            subs = ", ".join(
                f"{item['ref']}{item['subs'][0][0]}–{item['subs'][-1][0]}"
                for item in ics_unit["items"]
                if item["subs"]
            )
            shown = letter_runs(form["er_letters"].replace("-", "?")) or "none"
            if "?" in shown:
                shown += "; ? is a sub-column printed without a letter"
            defect = (
                f"The recording form's lettered evidence-requirement sub-columns ({shown}) do not match "
                f"the lettered sub-items of ICS unit {ics_number} ({subs or 'none'})."
            )
            unit_defects.append(defect)
            qualification_defects.append(f"Unit {number}: {defect}")
        if form["has_uk"]:
            uk = form["uk_letters"]
            notes.append(
                f"The recording form has a column headed 'U/K' (not explained in the sources) with sub-columns "
                f"{uk[0]}–{uk[-1]}; the knowledge statements they refer to are not in the sources."
            )

        # criteria
        outcome_numbers, rows_out, last = [], [], None
        for prefix, outcome, printed_number, ref, text in form["rows"]:
            defect = ""
            if prefix != number:
                # misnumbered row: it belongs where it stands (the outcome and position of its neighbours)
                outcome = last[0] if last else outcome
                position = last[1] + 1 if last and last[0] == outcome else 1
                defect = (
                    f"Printed as {ref} on unit {number}'s form, between "
                    f"{form['rows'][len(rows_out) - 1][3]} and {form['rows'][len(rows_out) + 1][3]}: "
                    f"read as {number}.{outcome}.{position} (ref kept as printed, number set by position)."
                )
                unit_defects.append(f"Criterion row misnumbered '{ref}' (third row of outcome {outcome}).")
                qualification_defects.append(f"Unit {number} has a row misnumbered '{ref}'.")
            else:
                position = last[1] + 1 if last and last[0] == outcome else 1
                if printed_number != position:
                    raise SystemExit(f"{ref}: printed number {printed_number} but position {position}")
            if ref in ROW_SLIPS:
                defect = ROW_SLIPS[ref]
            if outcome not in outcome_numbers:
                if outcome != len(outcome_numbers) + 1:
                    raise SystemExit(f"unit {number}: outcome {outcome} out of sequence")
                outcome_numbers.append(outcome)
            rows_out.append((outcome, position, ref, text, defect))
            last = (outcome, position)
        for outcome in outcome_numbers:
            fb.outcome(unit_ref=unit_ref, number=outcome, title=OUTCOME_TITLE.format(n=outcome), kind=kind)
        for outcome, position, ref, text, defect in rows_out:
            fb.criterion(
                unit_ref=unit_ref,
                outcome_number=outcome,
                number=position,
                ref=ref,
                text=text,
                kind=kind,
                defect=defect,
            )

        # evidence requirements from the matched ICS unit
        rwe, simulation, context = permissions(ics_unit["items"][0]["text"])
        position = 0
        for item in ics_unit["items"]:
            position += 1
            fb.evidence_requirement(
                unit_ref=unit_ref,
                ref=item["ref"],
                text=item["text"],
                order=position,
                min_count=min_count(item["text"]),
            )
            for letter, sub_text in item["subs"]:
                position += 1
                fb.evidence_requirement(
                    unit_ref=unit_ref,
                    ref=f"{item['ref']}{letter}",
                    text=sub_text,
                    order=position,
                    parent_ref=item["ref"],
                    min_count=min_count(sub_text),
                )

        fb.unit(
            ref=unit_ref,
            scheme=SCHEME,
            number=number,
            title=title,
            notes="\n".join(notes),
            defects="\n".join(unit_defects),
            rwe_allowed=rwe,
            simulation_allowed=simulation,
            evidence_context_note=context,
            evidence_context_source=f"ICS Evidence Requirements (January 2006), ICS unit {ics_number}, "
            "evidence requirement 1",
        )
        fb.membership(qualification=CODE, unit_ref=unit_ref, status="optional", order=order)

    fb.qualification(
        code=CODE,
        title="Level 3 N/SVQ in Customer Service",
        level="Level 3",
        awarding_body="Not named in the sources",
        source=f"{FORMS_FILE} (recording forms, 2006 standards); {ICS_FILE} (ICS evidence requirements, 2006)",
        source_notes="\n".join(
            [
                "The rules of combination are not in the sources: no Rule rows are recorded, and the "
                "qualification cannot be checked for completion until someone adds them.",
                "The sources do not say which units are mandatory or optional: every unit is recorded as "
                "optional, with no group, only because a membership needs a status.",
                "Units, titles and criterion rows come from the Appendix 1 unit recording forms (20 units, "
                f"{EXPECTED_CRITERIA} criterion rows), in the forms' order. Unit numbers are the 2006 numbering "
                "(2006 unit 205 'Make customer service personal' is not 4430 unit 205).",
                "Evidence requirements come from the ICS 'Evidence Requirements for Customer Service S/NVQs "
                "Levels 2, 3 and 4' (January 2006); each unit is matched to its ICS unit by title (ICS number "
                "in the unit's notes). The ICS document was developed by the ICS with CABWI Awarding Body, "
                "City and Guilds of London Institute, Edexcel, EDI, IMI, OCR, SQA and VTCT; the recording "
                "forms do not name an awarding body.",
                "Not in the sources: accreditation number, guided learning hours, total qualification time, "
                "registration period; each unit's level, credit value and GLH; outcome titles.",
                "Evidence requirement quantities: min_count is set where a requirement says 'at least N' "
                "(e.g. 'at least two of these groups'); no assessment method is stated with those quantities.",
            ]
        ),
        defects="\n".join(dict.fromkeys(qualification_defects)),
        rules_stated=False,
    )
    count = fb.write(OUT)
    return forms, count


if __name__ == "__main__":
    forms, count = build()
    print(
        f"wrote {OUT.relative_to(REPO)}: {count} objects, {len(forms)} units, "
        f"{sum(len(u['rows']) for u in forms)} criteria"
    )
