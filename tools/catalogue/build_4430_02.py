"""Build fixtures/4430-02.json from the Level 2 NVQ Certificate in Customer Service candidate logbook.

Usage: python tools/catalogue/build_4430_02.py   (SEEDS_DIR overrides ../shared/seeds)

The seed (seeds/002_04261084094e7874.txt) is the City & Guilds candidate logbook for the Level 2 NVQ
Certificate in Customer Service (QCF, 2010), qualification 4430-02. It is PDF-extracted text: lines
are broken mid-sentence, page boxes come out in a jumbled order, footers ("039_044_CS203.indd 41 ...")
leak into the text, and the structure table's columns are scrambled. Only that extraction damage is
repaired here; everything else is kept as printed, and what the source lost is recorded in `defects`.

What the fixture holds:
- the qualification 4430-02 and its rules of combination (the level rule whose number was lost is
  stored incomplete);
- its 49 units in their themes: 101 and 201 mandatory, the rest in the four optional groups.
  Unit rows are emitted for every 1xx and 2xx unit (33 units); units 303-318 are emitted by the
  4430-04 fixture (fixtures/4430-04.json, which must be loaded first) and only referenced here;
- full content (learning outcomes, assessment criteria, range, evidence requirements, simulation and
  realistic-working-environment permissions) for the 14 units the logbook prints;
- levels and credit values reconstructed from the scrambled structure table (see reconstruct_table);
  where a value cannot be placed it is left empty and the defect recorded.

The script checks every assumption it makes about the seed (counts, sequences, agreement with the
4430-04 handbook's table) and stops with an error instead of writing a wrong fixture.
"""

import os
import re
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))

from tools.catalogue.fixture_writer import FixtureBuilder  # noqa: E402

SEED_NAME = "002_04261084094e7874.txt"
HANDBOOK_0404 = "004_c10caba6d4dbc3a8.txt"
OUTPUT = REPO / "fixtures" / "4430-02.json"
CODE = "4430-02"
SCHEME = "4430"
TITLE = "Level 2 NVQ Certificate in Customer Service"

MANDATORY_THEME = "Customer Service Foundations"
GROUPS = ["Impression and Image", "Delivery", "Handling Problems", "Development and Improvement"]
SHARED_WITH_0404 = [str(n) for n in range(303, 319)]
PRINTED_UNITS = [
    "101",
    "201",
    "203",
    "204",
    "205",
    "209",
    "210",
    "212",
    "214",
    "105",
    "106",
    "219",
    "221",
    "223",
]
CREDITS_LOST = ["104", "212", "213", "214", "215", "216", "217", "218"]

SOURCE = (
    "City & Guilds candidate logbook, Level 2 NVQ Certificate in Customer Service (QCF, 2010), "
    "seeds/" + SEED_NAME
)

FOOTER = re.compile(r"\.indd\s+\d+")
UNIT_ROW = re.compile(r"^(\d{3})(?:\s+(.*))?$")
LEVEL_CELL = re.compile(r"^([1-4])$")
CREDIT_CELL = re.compile(r"^(\d+) credits$")
OUTCOME_SUMMARY = re.compile(r"^(\d{3})\.(\d+)\s+((?:can|understand|know)\b.*)$")
OUTCOME_HEADING = re.compile(r"^(\d{3})\.(\d+)\s+(To\b.*)$")
CRITERION = re.compile(r"^(\d{3})\.(\d+)\.(\d+)\s+(.*)$")
NUMBERED = re.compile(r"^(\d)\s{2,}(.*)$")
LETTERED = re.compile(r"^([a-l])\s{2,}(.*)$")  # continuation lines start "a positive ..." (one space)
STOP = (
    "Evidence reference should be entered",
    "areas below.",
    "The evidence for this unit is valid",
    "I confirm",
    "Signature of",
    "Countersignature of",
)


class SeedError(Exception):
    """The seed does not look the way this script expects: fix the script, don't write a fixture."""


def check(condition, message):
    if not condition:
        raise SeedError(message)


def seeds_dir():
    return Path(os.environ.get("SEEDS_DIR") or REPO.parent / "shared" / "seeds")


def join(lines):
    """Join lines broken by the extraction: 'non-' + 'verbal' -> 'non-verbal', else one space."""
    text = ""
    for line in lines:
        line = line.strip()
        if not line:
            continue
        if not text:
            text = line
        elif text.endswith("-") and not text.endswith(" -"):
            text += line
        else:
            text += " " + line
    return re.sub(r"\s{2,}", " ", text).strip()


def read_lines(path):
    """Non-empty lines as (raw, stripped); raw keeps the leading space that marks a new text box."""
    out = []
    for raw in path.read_text(encoding="utf-8").splitlines():
        if not raw.strip() or FOOTER.search(raw):
            continue
        out.append((raw.rstrip(), raw.strip()))
    return out


def index_of(lines, predicate, start=0):
    for i in range(start, len(lines)):
        if predicate(lines[i][1]):
            return i
    raise SeedError("expected line not found")


# --- the 4430-04 handbook's table, for units 303-318 ------------------------------------------


def read_0404_table(path):
    """{number: (title, level, credits)} for 303-318 from the 4430-04 structure table."""
    text = join(line for _, line in read_lines(path)[:200])
    rows = {}
    for match in re.finditer(r"4430-(3\d\d) (.+?) \(([A-D]\d+)\)\s+(\d) (\d+) (\d+)", text):
        rows.setdefault(match[1], (match[2].strip(), f"Level {match[4]}", int(match[5])))
    check(sorted(rows) == SHARED_WITH_0404, f"4430-04 table rows 303-318 not all found: {sorted(rows)}")
    return rows


# --- the logbook's structure table --------------------------------------------------------------


def read_structure_table(lines):
    """Parse the two halves of the 'guide to the units' table: unit rows, level cells, credit cells.

    Returns two blocks, each {"units": [(number, title)], "levels": [int], "credits": [(int, new_box)]}
    where new_box says the credit cell began a new text box in the extraction (a leading space).
    """
    start = index_of(lines, lambda s: s.startswith("to the units and how they fit into the themes"))
    end = index_of(lines, lambda s: s.startswith("Here are some words that you may hear"), start)
    blocks = []
    block = None
    in_description = False
    for raw, line in lines[start + 1 : end]:
        row = UNIT_ROW.match(line)
        if line.startswith("This theme"):
            in_description = True
            if block is None or block["levels"]:
                block = {"units": [], "levels": [], "credits": []}
                blocks.append(block)
            continue
        if row and 101 <= int(row[1]) <= 318:
            in_description = False
            block["units"].append([row[1], row[2] or ""])
        elif LEVEL_CELL.match(line):
            block["levels"].append(int(line))
        elif CREDIT_CELL.match(line):
            block["credits"].append((int(CREDIT_CELL.match(line)[1]), raw.startswith(" ")))
        elif not in_description and block["units"] and not block["levels"]:
            block["units"][-1][1] = join([block["units"][-1][1], line])  # a title broken over two lines
    check(len(blocks) == 2, f"expected the structure table in two halves, found {len(blocks)}")
    for block in blocks:
        block["units"] = [tuple(unit) for unit in block["units"]]
    return blocks


def reconstruct_table(blocks, table_0404):
    """Levels and credits per unit number, reconstructed from the scrambled columns.

    First half (101, 201, the Impression and Image units 102-211 and 303-306; 18 rows): the level and
    credit columns both come out with the two mandatory rows last. Read that way every level equals
    the unit number's first digit, 303-306 carry the 4430-04 table's credits (6, 8, 7, 7) and
    101 + 201 make the 8 mandatory credits the rules state.

    Second half (Delivery, Handling Problems, Development and Improvement; 31 rows): the level column
    is in row order (again every level equals the first digit), but only 25 credit cells survive,
    in four text boxes of 3, 1, 16 and 5 cells. The last box is 314-318 (7, 8, 7, 10, 7 as in
    4430-04). The 16-cell box starts with 308 and 309 (6, 7) and runs in row order through 105, 106,
    219, 220, 310-312 (6, 10, 6 as in 4430-04) and 221-227; the values of 307 and 313 are missing
    (4430-04: 6 and 8; no 6 precedes 308's box and no 8 sits between 312 and 314). The first two
    boxes (5, 5, 5 and 4) are four values for the eight units 104 and 212-218: which unit has which
    value, and which four units lost theirs, cannot be told, so those eight credits stay empty.
    """
    levels, credits = {}, {}
    first, second = blocks

    numbers = [number for number, _ in first["units"]]
    check(numbers[:2] == ["101", "201"], f"first half should start with 101, 201: {numbers[:4]}")
    check(
        len(numbers) == 18 and len(first["levels"]) == 18 and len(first["credits"]) == 18,
        "first half: expected 18 units, 18 levels, 18 credits",
    )
    column_order = numbers[2:] + numbers[:2]
    for number, level, (credit, _) in zip(column_order, first["levels"], first["credits"], strict=True):
        check(level == int(number[0]), f"first half: level {level} does not fit unit {number}")
        levels[number] = level
        credits[number] = credit
    check(credits["101"] + credits["201"] == 8, "mandatory units should make 8 credits")

    numbers = [number for number, _ in second["units"]]
    check(len(numbers) == 31 and len(second["levels"]) == 31, "second half: expected 31 units and levels")
    for number, level in zip(numbers, second["levels"], strict=True):
        check(level == int(number[0]), f"second half: level {level} does not fit unit {number}")
        levels[number] = level
    boxes = []
    for value, new_box in second["credits"]:
        if new_box or not boxes:
            boxes.append([])
        boxes[-1].append(value)
    check([len(box) for box in boxes] == [3, 1, 16, 5], f"second half credit boxes: {boxes}")
    middle = ["308", "309", "105", "106", "219", "220", "310", "311", "312"] + [
        str(n) for n in range(221, 228)
    ]
    last = ["314", "315", "316", "317", "318"]
    for number, value in list(zip(middle, boxes[2], strict=True)) + list(zip(last, boxes[3], strict=True)):
        credits[number] = value
    check(sorted(boxes[0] + boxes[1]) == [4, 5, 5, 5], "unplaceable credit values changed")

    for number in SHARED_WITH_0404:
        if number in credits:
            check(
                credits[number] == table_0404[number][2],
                f"unit {number}: logbook credit {credits[number]} differs from 4430-04's; record it",
            )
    return levels, credits


# --- unit pages ------------------------------------------------------------------------------------


def unit_pages(lines):
    """{number: [stripped lines]} for the 14 printed unit pages (each starts with its intro box)."""
    starts = []
    for i, (_, line) in enumerate(lines):
        if line.startswith("This unit is") and "sits within" in join(s for _, s in lines[i : i + 6]):
            starts.append(i)
    pages = {}
    for position, start in enumerate(starts):
        end = starts[position + 1] if position + 1 < len(starts) else len(lines)
        page = [line for _, line in lines[start:end]]
        number = next(OUTCOME_SUMMARY.match(line)[1] for line in page if OUTCOME_SUMMARY.match(line))
        pages[number] = page
    check(sorted(pages) == sorted(PRINTED_UNITS), f"printed unit pages: {sorted(pages)}")
    return pages


def until_sentence_end(page, start, contains):
    """Join lines from start until a line ends a sentence and the text so far contains `contains`."""
    taken = []
    for line in page[start:]:
        taken.append(line)
        if line.endswith(".") and contains in join(taken):
            return join(taken)
    raise SeedError(f"unterminated paragraph at {page[start]!r}")


def parse_items(lines, *, lettered):
    """Numbered items with (optionally) lettered sub-items -> [(ref, parent_ref, text)] in printed numbering."""
    items = []
    for line in lines:
        top = NUMBERED.match(line)
        sub = LETTERED.match(line) if lettered else None
        if top:
            items.append([top[1], None, [top[2]]])
        elif sub and items:
            parent = items[-1][0] if items[-1][1] is None else items[-1][1]
            items.append([parent + sub[1], parent, [sub[2]]])
        else:
            check(bool(items), f"text before the first item: {line!r}")
            items[-1][2].append(line)
    # The extraction prints some boxes out of order (unit 210's range comes out 3, 4, 1, 2).
    items.sort(key=lambda item: (int(re.match(r"\d+", item[0])[0]), item[0]))
    return [(ref, parent, join(text)) for ref, parent, text in items]


def parse_page(number, page):
    unit = {"number": number}
    intro = until_sentence_end(page, 0, "This theme covers")
    unit["aim"] = intro
    unit["theme"] = re.search(r"theme of (.+?)\. This theme", intro)[1]

    # Learning outcomes: "When you have completed this unit, you will have proved that you: ..."
    i = next(k for k, line in enumerate(page) if line.startswith("you will have proved that you"))
    outcomes = []
    for line in page[i + 1 :]:
        match = OUTCOME_SUMMARY.match(line)
        if match:
            check(match[1] == number, f"unit {number}: outcome of another unit {line!r}")
            outcomes.append([int(match[2]), [match[3]]])
        else:
            outcomes[-1][1].append(line)
        if line.endswith("."):
            break
    unit["outcomes"] = []
    for outcome_number, text in sorted(outcomes):
        title = join(text)
        kind = "performance" if title.startswith("can ") else "knowledge"
        unit["outcomes"].append((outcome_number, title, kind))
    check(
        [n for n, _, _ in unit["outcomes"]] == list(range(1, len(outcomes) + 1)),
        f"unit {number}: outcome numbers {outcomes}",
    )

    cross = next(k for k, line in enumerate(page) if re.match(r"Evidence (from|for) this unit could", line))
    unit["notes"] = until_sentence_end(page, cross, "e.g.")

    # Evidence requirements: numbered paragraphs up to the assessment paragraph.
    first = next(
        k for k, line in enumerate(page) if re.match(r"1\s+(Your evidence should be|Wherever possible)", line)
    )
    assessment = next(
        k for k, line in enumerate(page) if line.startswith("You need to show that you understand")
    )
    unit["evidence_requirements"] = parse_items(page[first:assessment], lettered=False)
    unit["assessment"] = until_sentence_end(page, assessment, "What you must know")

    # Range ("what you must cover"): between the assessment method key and the first outcome heading.
    key = max(k for k, line in enumerate(page) if line.startswith("WT Witness Testimony"))
    heading = next(k for k, line in enumerate(page) if OUTCOME_HEADING.match(line))
    check(key < heading, f"unit {number}: range box not where expected")
    range_lines = [line for line in page[key + 1 : heading] if not line.startswith(STOP)]
    unit["range"] = parse_items(range_lines, lettered=True)

    # Criteria ("what you must do" / "what you must know"), after the first outcome heading.
    criteria = []
    state = None
    for line in page[heading:]:
        criterion = CRITERION.match(line)
        if criterion:
            check(criterion[1] == number, f"unit {number}: criterion of another unit {line!r}")
            state = [
                int(criterion[2]),
                int(criterion[3]),
                f"{criterion[1]}.{criterion[2]}.{criterion[3]}",
                [criterion[4]],
            ]
            criteria.append(state)
        elif OUTCOME_HEADING.match(line) or line.startswith(STOP):
            state = None
        elif state is not None:
            state[3].append(line)
    criteria.sort(key=lambda c: (c[0], c[1]))
    unit["criteria"] = [(o, n, ref, join(text)) for o, n, ref, text in criteria]
    for outcome_number, _, _ in unit["outcomes"]:
        numbers = [n for o, n, _, _ in unit["criteria"] if o == outcome_number]
        check(
            numbers == list(range(1, len(numbers) + 1)) and numbers,
            f"unit {number} outcome {outcome_number}: criterion numbers {numbers}",
        )
    check(
        {o for o, _, _, _ in unit["criteria"]} == {n for n, _, _ in unit["outcomes"]},
        f"unit {number}: criteria outside the outcomes",
    )

    requirement_1 = unit["evidence_requirements"][0][2]
    unit["rwe_allowed"] = "realistic working environment or a work placement is permissible" in requirement_1
    if "Simulation is also allowed" in requirement_1:
        unit["simulation_allowed"] = True
    else:
        check(
            "Simulation is not allowed for any performance evidence" in requirement_1,
            f"unit {number}: simulation wording not recognised",
        )
        unit["simulation_allowed"] = False
    check(unit["rwe_allowed"], f"unit {number}: RWE wording not recognised")
    unit["evidence_context_note"] = requirement_1
    return unit


QUANTITY_OF = re.compile(r"\b(two|three|four|five|six) of the following\b")
QUANTITY_WORDS = {"two": 2, "three": 3, "four": 4, "five": 5, "six": 6}
PAGE_FOOTER = re.compile(r"^(\d{3})[_-](\d{3})_CS(\d{3})\.indd\s+(\d+)")


def footer_pages(seed_text):
    """{unit number: (first page, last page, [(line index, page printed in a footer)])} from the footers that
    survived extraction ("077_082_CS214.indd   80": unit 214 is printed on pages 77-82; that page is 80)."""
    pages = {}
    for index, line in enumerate(seed_text.splitlines()):
        match = PAGE_FOOTER.match(line.strip())
        if match:
            first, last, number, page = match.groups()
            pages.setdefault(number, (int(first), int(last), []))[2].append((index, int(page)))
    return pages


def range_quantity_source(number, item_text, seed_text, pages):
    """Where an "N of the following" range item is printed: the unit's pages, and the page itself when a
    surviving footer closes the page that prints it."""
    first, last, footers = pages.get(number, (None, None, []))
    where = f"Level 2 logbook, unit {number}"
    if first is None:
        return where + ", what you must cover"
    lines = seed_text.splitlines()
    words = item_text.split()[-4:]
    at = next((i for i, line in enumerate(lines) if " ".join(words[-2:]) in line), None)
    page = next((p for i, p in footers if at is not None and i > at), None)
    return where + f" (pages {first}-{last}), what you must cover" + (f", page {page}" if page else "")


def skills_scan_title(lines, number):
    """A unit's title as the skills scan prints it ('208  Go the extra mile in customer service')."""
    for _, line in lines:
        match = re.match(rf"^{number}\s+(.+)$", line)
        if match and "Go the extra mile" in match[1]:
            return match[1].strip()
    raise SeedError(f"no skills scan title for {number}")


# --- the fixture -----------------------------------------------------------------------------------

SOURCE_NOTES = """\
Qualification title and level as printed: City & Guilds Level 2 NVQ Certificate in Customer Service (QCF). The logbook does not print the City & Guilds number 4430-02 (identified as such in DOMAIN.md), nor an accreditation number, guided learning hours or total qualification time for the qualification or its units ("Each credit indicates 10 hours of learning time"; the sentence "This means that the qualification could take you ..." lost its figure).
Registration: "There is no time limit set by City & Guilds for you to complete your qualification but your centre may have some requirements that they will explain to you." Registration period left empty.
Themes: the mandatory units 101 and 201 form the theme "Customer Service Foundations" and are stored as mandatory with no optional group. The optional groups are the logbook's themes "Impression and Image", "Delivery", "Handling Problems" and "Development and Improvement".
Rules of combination (p. 10, words partly lost in extraction): "28 / must be at / 8 by doing the units / 20 by completing a / from each Optional Group"; elsewhere: "the minimum value you must achieve is 28 credits", "two units are mandatory ... You must also gain 20 more credits from a list of optional units", "complete both the two mandatory units and at least one optional unit from each theme". "20 more credits" is read as the remainder after the 8 mandatory credits, not as a cap.
Structure table: the logbook's level and credit columns are scrambled by extraction. Levels are read as the unit number's first digit (which every surviving level cell confirms). Credits of 101-211 and 303-306 come from the first half of the table (its cells list the Impression and Image rows first and the two mandatory rows last); credits of 105, 106, 219, 220 and 221-227 from the second half, placed by aligning its cells with the 4430-04 handbook's credits for 308-312 and 314-318 (see tools/catalogue/build_4430_02.py, reconstruct_table). Units 303-318 are the catalogue rows of the 4430-04 fixture; the logbook's titles, levels and surviving credits for them agree with the 4430-04 table.
Unit pages: the logbook prints full pages (outcomes, what you must cover / do / know, evidence requirements) for 14 units: 101, 201, 203, 204, 205, 209, 210, 212, 214, 105, 106, 219, 221 and 223. Its introduction also prints unit 204 as a worked example with sample evidence references; the example is not a separate unit and is not stored. The other units have only their structure-table row and skills-scan prompt (has_criteria_text false).
Learning outcome titles are the logbook's list "you will have proved that you: ..."; "can ..." outcomes are performance ("what you must do"), "know/understand ..." outcomes knowledge ("what you must know"). Range items are "what you must cover". Evidence requirements are the unit's numbered "Evidence requirements"; none states a quantity, so min_count and method are empty.
Simulation: only 105 and 106 allow simulation ("Simulation is also allowed for evidence within this unit ..."); the other printed units allow a realistic working environment or work placement but "Simulation is not allowed for any performance evidence within this unit". For units without a printed page the logbook does not say, so those permissions are empty.
Some boxes come out of the extraction out of order (e.g. unit 210's range prints 3, 4, 1, 2; unit 101's outcome 2 before outcome 1); they are stored in their printed numbering."""


def defects_for_qualification(table_0404, logbook_titles, levels, credits):
    lines = [
        "Rules of combination: the minimum of credits 'at' a level lost both its number and its level in extraction (only 'must be at' survives); the rule is stored incomplete.",
        "Credit values of units 104 and 212-218 are not recoverable: the second half of the structure table has 25 credit cells for 31 units, and the four cells that belong to 104/212-218 (5, 5, 5, 4) cannot be assigned to units.",
        "Structure table: the title of unit 208 was lost (only the number survives); it is taken from the skills scan and the summary of unit achievement.",
        "Structure table: the credit cells of units 307 and 313 are missing (the 4430-04 table gives 6 and 8; the catalogue's rows for them come from the 4430-04 fixture).",
        "Rules of combination: the wording lost words in extraction ('8 by doing the units', '20 by completing a', 'from each Optional Group'); the rules are stored as the rest of the logbook states them.",
        "Unit 214 range 2 asks for 'four of the following sources of diversity' (2a-2l) while its box says 'You must cover all the points listed'.",
    ]
    for number in SHARED_WITH_0404:
        title, level, credit = table_0404[number]
        if logbook_titles[number] != title:
            lines.append(
                f"Unit {number}: logbook title '{logbook_titles[number]}' differs from 4430-04's '{title}'."
            )
        if f"Level {levels[number]}" != level:
            lines.append(f"Unit {number}: logbook level {levels[number]} differs from 4430-04's {level}.")
        if number in credits and credits[number] != credit:
            lines.append(f"Unit {number}: logbook credits {credits[number]} differ from 4430-04's {credit}.")
    return "\n".join(lines)


def build(seeds):
    lines = read_lines(seeds / SEED_NAME)
    seed_text = (seeds / SEED_NAME).read_text(encoding="utf-8")
    footers = footer_pages(seed_text)
    table_0404 = read_0404_table(seeds / HANDBOOK_0404)
    blocks = read_structure_table(lines)
    levels, credits = reconstruct_table(blocks, table_0404)
    pages = {number: parse_page(number, page) for number, page in unit_pages(lines).items()}

    titles = {number: title for block in blocks for number, title in block["units"]}
    check(titles["208"] == "", "unit 208's title is expected to be missing from the structure table")
    titles["208"] = skills_scan_title(lines, "208")

    # Themes in table order: first half = mandatory (101, 201) + Impression and Image;
    # second half split by level runs: Delivery (104..309), Handling Problems (105..312),
    # Development and Improvement (221..318).
    first = [number for number, _ in blocks[0]["units"]]
    second = [number for number, _ in blocks[1]["units"]]
    groups = {
        "Impression and Image": first[2:],
        "Delivery": second[: second.index("105")],
        "Handling Problems": second[second.index("105") : second.index("221")],
        "Development and Improvement": second[second.index("221") :],
    }
    mandatory = first[:2]
    all_numbers = mandatory + [n for g in GROUPS for n in groups[g]]
    check(len(all_numbers) == 49 and len(set(all_numbers)) == 49, "expected 49 distinct units")
    for number, unit in pages.items():
        expected = MANDATORY_THEME if number in mandatory else next(g for g in GROUPS if number in groups[g])
        check(unit["theme"] == expected, f"unit {number}: page theme {unit['theme']!r} != {expected!r}")

    fb = FixtureBuilder()
    fb.qualification(
        code=CODE,
        title=TITLE,
        level="Level 2",
        source=SOURCE,
        source_notes=SOURCE_NOTES,
        defects=defects_for_qualification(table_0404, titles, levels, credits),
    )

    for number in all_numbers:
        if number in SHARED_WITH_0404:
            continue  # the 4430-04 fixture emits these Unit rows
        fields = {
            "ref": f"{SCHEME}-{number}",
            "scheme": SCHEME,
            "number": number,
            "title": titles[number],
            "level": f"Level {levels[number]}",
            "credits": credits.get(number),
        }
        defects = []
        if number in CREDITS_LOST:
            check(number not in credits, f"unit {number}: credits unexpectedly placed")
            defects.append("Credit value not recoverable from the logbook's scrambled structure table.")
        if number == "208":
            defects.append(
                "Title missing from the structure table; taken from the skills scan and the summary of unit achievement."
            )
        if number in pages:
            unit = pages[number]
            if number == "214":
                defects.append(
                    "Range 2 requires four of the twelve sources of diversity (2a-2l), although the box says 'You must cover all the points listed'."
                )
            fb.unit(
                **fields,
                aim=unit["aim"],
                assessment=unit["assessment"],
                notes=unit["notes"],
                defects="\n".join(defects),
                has_criteria_text=True,
                rwe_allowed=unit["rwe_allowed"],
                simulation_allowed=unit["simulation_allowed"],
                evidence_context_note=unit["evidence_context_note"],
                evidence_context_source=f"Level 2 logbook, unit {number}, evidence requirement 1",
            )
        else:
            fb.unit(
                **fields,
                defects="\n".join(defects),
                has_criteria_text=False,
                notes="The logbook prints no unit page for this unit: only its structure-table row and its "
                "skills-scan prompt. No outcomes, criteria, range or evidence requirements in the source.",
            )

    for order, name in enumerate(GROUPS, start=1):
        fb.group(qualification=CODE, name=name, order=order)
    for order, number in enumerate(all_numbers, start=1):
        group = None if number in mandatory else next(g for g in GROUPS if number in groups[g])
        fb.membership(
            qualification=CODE,
            unit_ref=f"{SCHEME}-{number}",
            status="mandatory" if group is None else "optional",
            group=group,
            order=order,
        )

    optional = [n for n in all_numbers if n not in mandatory]
    rules = [
        ("min_total_credits", {"credits": 28}, "the minimum value you must achieve is 28 credits", True, ""),
        ("mandatory_units", {"units": mandatory}, "Mandatory units (both units must be completed)", True, ""),
        (
            "min_credits_from_units",
            {"credits": 20, "units": optional, "label": "optional units"},
            "You must also gain 20 more credits from a list of optional units.",
            True,
            "",
        ),
    ]
    for name in GROUPS:
        rules.append(
            (
                "group_minimum",
                {"group": name, "min_units": 1, "min_credits": None, "max_units": None, "max_credits": None},
                "(Choose at least one of these units, which you feel is relevant to your role.)",
                True,
                "",
            )
        )
    rules.append(
        (
            "min_credits_at_level",
            {"credits": None, "level": None},
            "must be at",
            False,
            "The logbook's rules of combination (p. 10) print '28 / must be at / 8 by doing the units / "
            "20 by completing a / from each Optional Group': the number of credits and the level of the "
            "'must be at' line were lost in extraction. Only 'must be at' survives; do not guess it.",
        )
    )
    for order, (kind, params, text, complete, reason) in enumerate(rules, start=1):
        fb.rule(
            qualification=CODE,
            order=order,
            kind=kind,
            params=params,
            text=text,
            is_complete=complete,
            incomplete_reason=reason,
        )

    for number in PRINTED_UNITS:
        unit = pages[number]
        ref = f"{SCHEME}-{number}"
        kinds = {}
        for outcome_number, title, kind in unit["outcomes"]:
            fb.outcome(unit_ref=ref, number=outcome_number, title=title, kind=kind)
            kinds[outcome_number] = kind
        for outcome_number, position, criterion_ref, text in unit["criteria"]:
            fb.criterion(
                unit_ref=ref,
                outcome_number=outcome_number,
                number=position,
                ref=criterion_ref,
                text=text,
                kind=kinds[outcome_number],
            )
        for order, (item_ref, parent, text) in enumerate(unit["range"], start=1):
            quantity = QUANTITY_OF.search(text) if parent is None else None
            fb.range_item(
                unit_ref=ref,
                ref=item_ref,
                text=text,
                order=order,
                parent_ref=parent,
                min_count=QUANTITY_WORDS[quantity[1]] if quantity else None,
                min_count_source=range_quantity_source(number, text, seed_text, footers) if quantity else "",
            )
        for order, (item_ref, parent, text) in enumerate(unit["evidence_requirements"], start=1):
            fb.evidence_requirement(unit_ref=ref, ref=item_ref, text=text, order=order, parent_ref=parent)
    return fb


def main():
    fb = build(seeds_dir())
    count = fb.write(OUTPUT)
    print(f"wrote {count} objects to {OUTPUT.relative_to(REPO)}")


if __name__ == "__main__":
    main()
