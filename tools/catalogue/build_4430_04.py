"""Build fixtures/4430-04.json from the City & Guilds 4430-04 handbook (seeds/004_c10caba6d4dbc3a8.txt).

Usage: python tools/catalogue/build_4430_04.py   (SEEDS_DIR overrides ../shared/seeds)

The seed is PDF-extracted text. Only extraction damage is repaired here: page footers
("Level 4 NVQ Diploma in Customer Service (4430-04)  51"), a stray page number, lines broken
mid-sentence, leading spaces that mark page breaks and runs of spaces. Everything else is kept as
printed, and what the handbook gets wrong is recorded in `defects` rather than fixed.

What the fixture holds:
- the qualification 4430-04 with its rules of combination;
- all 33 units of the structure table (303-318 and 401-417) with title, NOS code, level, credit
  value and GLH from the table; 401-417 also with the unit accreditation ("NDAQ") number, aim,
  assessment, learning outcomes, assessment criteria and numbered evidence requirements;
- 303-318 marked has_criteria_text=False: the handbook prints no unit pages for them. These rows
  are the catalogue's only rows for those units; the 4430-02 fixture refers to them.
"""

import os
import re
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))

from tools.catalogue.fixture_writer import FixtureBuilder  # noqa: E402

SEED_NAME = "004_c10caba6d4dbc3a8.txt"
OUTPUT = REPO / "fixtures" / "4430-04.json"
CODE = "4430-04"
SCHEME = "4430"

GROUPS = ["Impression and Image", "Delivery", "Handling Problems", "Development and Improvement"]

FOOTER = re.compile(r"^\s*(\d+\s+)?Level 4 NVQ Diploma in Customer Service \(4430-04\)\s*(\d+)?\s*$")
STRAY_NUMBER = re.compile(r"^\s*\d+\s*$")
UNIT_HEADING = re.compile(r"^Unit (4\d\d) (.*)$")
OUTCOME_HEADING = re.compile(r"^Outcome (\d+): (.*)$")
CRITERION = re.compile(r"^(\d+)\.(\d+)\s+(.*)$")
REQUIREMENT = re.compile(r"^(\d+)(\.?)\s+(.*)$")
SUB_ITEM = re.compile(r"^([a-z])\s+(.*)$")
QUANTITY = re.compile(r"\b(one or more|two|three|four|five) (of (these|the following)|different)\b")
NUMBER_WORDS = {"one or more": 1, "two": 2, "three": 3, "four": 4, "five": 5}

SOURCE = "City & Guilds Level 4 NVQ Diploma in Customer Service (4430-04) handbook, seeds/" + SEED_NAME

SOURCE_NOTES = """\
Qualification title and level as printed: Level 4 NVQ Diploma in Customer Service. Accreditation number 500/8817/8.
Last registration date 31/07/2014; last certification date 31/07/2017 (as printed).
The handbook states no guided learning hours or total qualification time for the qualification as a whole, and no registration period (only: "Assessment must be completed within the candidate's period of registration.").
Recognition of prior learning: "RPL is allowed for this qualification and is not sector specific".
Assessment: "Assessment of the Level 4 NVQ Diploma in Customer Service Units should be carried out in a real job (either paid or voluntary). Simulation and Realistic Working Environment is not accepted at this level by the Institute of Customer Service Assessment Strategy." The one exception printed in the unit pages is unit 405's staged emergency procedures (see that unit).
Assessment strategy: "This qualification is subject to an assessment strategy produced by the Institute of Customer Service (ICS) March 2010".
Candidates: not approved for candidates under the age of 18; no formal entry requirements.
The structure table heads the mandatory units "Mandatory Units - Customer Service Foundations"; 401 and 402 are stored as mandatory with no optional group.
Rules of combination: the handbook states no maximum credit value and no maximum per group; "A further 47 credits" is read as the remainder after the 20 mandatory credits, not as a cap. The level minimum counts every Level 4 unit, mandatory ones included.
Units 303-318 appear only as rows of the structure table: the handbook gives no learning outcomes, assessment criteria, evidence requirements, aim or unit accreditation number for them.
Evidence requirements: where a requirement asks for a number of its lettered items ("two of these groups") min_count is that number; where it asks for a number of something without lettered items ("two different communication media") min_count counts those. Otherwise every lettered item is required. The handbook names no assessment method and no criteria for its evidence requirements, so method and criteria are empty."""


def seed_path():
    seeds = Path(os.environ.get("SEEDS_DIR") or Path(__file__).resolve().parents[3] / "shared" / "seeds")
    return seeds / SEED_NAME


def clean_lines(text):
    """Drop footers and stray page numbers; keep a marker of page-break leading spaces."""
    lines = []
    for raw in text.splitlines():
        line = raw.rstrip()
        if FOOTER.match(line) or STRAY_NUMBER.match(line):
            line = ""
        lines.append(line)
    return lines


def join(parts):
    """Join broken lines into one string: a line-end hyphen joins without a space ("co-" + "operation")."""
    out = ""
    for part in parts:
        part = part.strip()
        if not part:
            continue
        if not out:
            out = part
        elif out.endswith("-") and out[-2:-1].isalpha():
            out += part
        else:
            out += " " + part
    return re.sub(r"\s+", " ", out).strip()


# --- structure table -----------------------------------------------------------------------------


def parse_structure(lines):
    start = next(i for i, line in enumerate(lines) if line.strip().startswith("1.1 Qualification structure"))
    end = next(
        i for i, line in enumerate(lines) if line.strip().startswith("1.2 Opportunities for progression")
    )
    section = lines[start:end]
    statements = {}
    for line in section:
        s = re.sub(r"\s+", " ", line.strip())
        if s.startswith("Minimum Credit Value"):
            statements["total"] = s
        elif s.startswith("A minimum of 35 credits"):
            statements["level"] = s
        elif s.startswith("The learner must achieve 20 credits"):
            statements["mandatory"] = s
    # "A further 47 credits ... Optional\nGroup." is broken over two lines
    text = join(section)
    statements["further"] = re.search(
        r"A further 47 credits must be achieved by .*? Optional Group\.", text
    ).group(0)

    # Split the table text at the group headings, then read "4430-nnn title (NOS) level credit glh" rows.
    table = text[text.index("City & Guilds unit number Mandatory Units") :]
    heading = re.compile(
        r"City & Guilds unit number (Mandatory|Optional) Units - (.+?) QCF Level QCF Credit GLH"
    )
    heads = list(heading.finditer(table))
    rows = []
    for n, head in enumerate(heads):
        body = table[head.end() : heads[n + 1].start() if n + 1 < len(heads) else len(table)]
        status = head.group(1).lower()
        group = head.group(2).strip()
        for m in re.finditer(r"4430-(\d{3}) (.+?) \(([A-Z]\d+)\) (\d) (\d+) (\d+)", body):
            rows.append(
                {
                    "number": m.group(1),
                    "title": m.group(2).strip(),
                    "nos_code": m.group(3),
                    "level": f"Level {m.group(4)}",
                    "credits": int(m.group(5)),
                    "glh": int(m.group(6)),
                    "status": status,
                    "group": None if status == "mandatory" else group,
                    "table_group": group,
                }
            )
    return statements, rows


# --- unit pages ----------------------------------------------------------------------------------


def split_unit_pages(lines):
    """{number: [intro_lines, content_lines]}: each unit has an introduction page and a content page."""
    appendix = next(i for i, line in enumerate(lines) if line.strip().startswith("Appendix 1 Sources"))
    starts = []
    for i, line in enumerate(lines[:appendix]):
        m = UNIT_HEADING.match(line.strip())
        if m and i > 0:
            starts.append((i, m.group(1)))
    pages = {}
    for n, (i, number) in enumerate(starts):
        end = starts[n + 1][0] if n + 1 < len(starts) else appendix
        pages.setdefault(number, []).append(lines[i:end])
    return pages


def heading_title(page):
    """The unit title from the page heading, which can run over several lines up to the first blank."""
    parts = []
    for line in page:
        if not line.strip():
            break
        parts.append(line)
    return re.sub(r"^Unit \d+ ", "", join(parts))


def section(page, start_marker, end_markers):
    """Lines after the line equal to start_marker up to the first line starting with an end marker."""
    out, inside = [], False
    for line in page:
        s = line.strip()
        if inside and any(s.startswith(marker) for marker in end_markers):
            break
        if inside:
            out.append(line)
        elif s == start_marker:
            inside = True
    return out


def parse_intro(page):
    text = "\n".join(line.strip() for line in page)
    intro = {
        "title": heading_title(page),
        "level": "Level " + re.search(r"Level:\s+(\d)", text).group(1),
        "credits": int(re.search(r"Credit value:\s+(\d+)", text).group(1)),
        "accreditation_number": re.search(r"NDAQ number: (\S+)", text).group(1),
        "glh": int(re.search(r"It is recommended that (\d+) hours", text).group(1)),
        "nos_printed": re.search(r"directly relates to Unit ([A-Z] ?\d+) of", text).group(1),
    }
    intro["aim"] = join(section(page, "Unit aim", ["Learning outcomes"]))
    intro["outcome_count_words"] = re.search(r"There are (\w+) learning outcomes", text).group(1)
    relation = join(
        section(
            page,
            "Details of the relationship between the unit and relevant national occupational standards",
            ["Support of the unit"],
        )
    )
    support = join(section(page, "Support of the unit by a sector or other appropriate body", ["Assessment"]))
    # "...NOS 2010 \n." : the full stop fell onto a line of its own
    relation = re.sub(r" \.$", ".", relation)
    intro["notes"] = f"{relation}\n{support}"
    intro["assessment"] = join(section(page, "Assessment", ["\x00"]))
    return intro


def outcome_kind(title):
    first = title.split()[0].lower()
    return "knowledge" if first in ("know", "understand") else "performance"


def parse_content(page):
    """Outcomes with their criteria, and the evidence requirements, from a unit's content page."""
    outcomes, requirements = [], []
    mode = None  # "outcome_title", "criteria", "evidence"
    current = None  # the list of text parts being accumulated
    previous_blank = True
    heading_lines = next(i for i, line in enumerate(page) if not line.strip())
    for line in page[heading_lines:]:
        raw = line
        s = raw.strip()
        page_break = raw.startswith(" ") and bool(s)
        if not s:
            previous_blank = True
            continue
        new_block = previous_blank or page_break
        previous_blank = False
        m = OUTCOME_HEADING.match(s)
        if m:
            outcomes.append({"number": int(m.group(1)), "title_parts": [m.group(2)], "criteria": []})
            mode = "outcome_title"
            continue
        if s.startswith("Assessment Criteria") or s == "The learner can:":
            mode = "criteria"
            continue
        if s == "Evidence requirements":
            mode = "evidence"
            continue
        if mode == "outcome_title":
            outcomes[-1]["title_parts"].append(s)
            continue
        if mode == "criteria":
            m = CRITERION.match(s)
            if m:
                current = [m.group(3)]
                outcomes[-1]["criteria"].append(
                    {
                        "outcome": int(m.group(1)),
                        "number": int(m.group(2)),
                        "ref": f"{m.group(1)}.{m.group(2)}",
                        "parts": current,
                    }
                )
            else:
                current.append(s)
            continue
        if mode == "evidence":
            m_req = REQUIREMENT.match(s) if new_block else None
            m_sub = SUB_ITEM.match(s) if new_block else None
            if m_req:
                current = [m_req.group(3)]
                requirements.append(
                    {"printed": m_req.group(1) + m_req.group(2), "parts": current, "items": []}
                )
            elif m_sub:
                current = [m_sub.group(2)]
                requirements[-1]["items"].append({"letter": m_sub.group(1), "parts": current})
            else:
                current.append(s)
            continue
        raise ValueError(f"unexpected line outside any section: {s!r}")
    for outcome in outcomes:
        outcome["title"] = join(outcome.pop("title_parts"))
        for criterion in outcome["criteria"]:
            criterion["text"] = join(criterion.pop("parts"))
    for requirement in requirements:
        requirement["text"] = join(requirement.pop("parts"))
        for item in requirement["items"]:
            item["text"] = join(item.pop("parts"))
    return outcomes, requirements


# --- defects and notes found by reading the handbook -----------------------------------------------

UNIT_DEFECTS = {
    "403": [
        "Evidence requirement 7 is printed 'You evidence must show ...' (sic); kept as printed.",
    ],
    "408": [
        "Evidence requirements are misnumbered: after requirement 4 (with items a-d) the handbook prints a "
        "second '4.' ('Your communication with customers may be ...') and then '5.' ('You must provide "
        "evidence that you have collected feedback ...'). They are stored in printed order as 5 and 6 "
        "(items 6a-6d) so that references stay unique.",
    ],
    "414": [
        "Guided learning hours: the structure table gives 47, the unit page gives 70 ('It is recommended "
        "that 70 hours should be allocated for this unit'). glh stores the structure-table value 47 (the "
        "table's other 7-credit units all have 47 GLH).",
    ],
    "417": [
        "The unit page prints the NOS reference as 'Unit D 20'; the structure table prints '(D20)'. "
        "nos_code stores D20.",
    ],
}

UNIT_NOTES = {
    "401": "Outcomes 1 and 2 are worded 'Demonstrate ...' rather than 'Know'/'Understand'; their criteria "
    "ask the learner to do things (exercise, supervise, display leadership), so they are stored as "
    "performance outcomes. Outcome 3 ('Understand ...') is knowledge.",
    "405": "The simulation exception in evidence requirement 1 ('realistic practices are staged to test "
    "emergency procedures') is the only exception to 4430-04's real-job rule. The handbook does not "
    "tie it to a criterion; criterion 2.7 ('carry out emergency drills within their area of "
    "responsibility') is the one about emergency drills.",
}

NO_CONTENT_NOTE = (
    "The 4430-04 handbook gives only the structure-table row for this unit (title, NOS code, level, "
    "credit value, GLH). It prints no unit page: no aim, learning outcomes, assessment criteria, evidence "
    "requirements or unit accreditation number. The unit is also in 4430-02."
)

EXPECTED_UNITS = [f"{n}" for n in range(303, 319)] + [f"{n}" for n in range(401, 418)]


def build():
    text = seed_path().read_text(encoding="utf-8")
    lines = clean_lines(text)
    statements, rows = parse_structure(lines)
    numbers = [row["number"] for row in rows]
    if sorted(numbers) != EXPECTED_UNITS:
        raise SystemExit(f"structure table: expected 33 units, got {numbers}")
    pages = split_unit_pages(lines)
    if sorted(pages) != EXPECTED_UNITS[16:] or any(len(p) != 2 for p in pages.values()):
        raise SystemExit(f"unit pages: {sorted((k, len(v)) for k, v in pages.items())}")

    qualification_defects = [
        "Unit 414: guided learning hours are 47 in the structure table and 70 on the unit page.",
        "Unit 408: evidence requirements are misnumbered (a second '4.' followed by '5.').",
    ]

    # The qualification-wide setting rule (section 2.2) reaches every unit taken in 4430-04, shared 303-318
    # too; the last dates are printed in section 1's table.
    wide = re.search(
        r"Assessment of the Level 4 NVQ Diploma in Customer Service Units should be carried out in "
        r"a real job \(either paid or voluntary\)\. Simulation and Realistic Working Environment is "
        r"not accepted at this level by the Institute of Customer Service Assessment Strategy\.",
        join(lines),
    )
    if not wide:
        raise SystemExit("the qualification-wide real-job statement was not found")
    dates = re.search(
        r"Last registration date (\d\d)/(\d\d)/(\d{4}) Last certification date (\d\d)/(\d\d)/(\d{4})",
        join(lines[:12]),
    )
    if not dates:
        raise SystemExit("last registration / certification dates not found")
    d = dates.groups()
    fb = FixtureBuilder()
    fb.qualification(
        code=CODE,
        title="Level 4 NVQ Diploma in Customer Service",
        level="Level 4",
        accreditation_number="500/8817/8",
        source=SOURCE,
        source_notes=SOURCE_NOTES,
        defects="\n".join(qualification_defects),
        rwe_allowed=False,
        simulation_allowed=False,
        evidence_context_note=wide.group(0),
        evidence_context_source="4430-04 handbook, 2.2 Candidate entry requirements",
        last_registration_date=f"{d[2]}-{d[1]}-{d[0]}",
        last_certification_date=f"{d[5]}-{d[4]}-{d[3]}",
        dates_source="4430-04 handbook, 1 Introduction to the qualification (the qualification table)",
    )
    for order, name in enumerate(GROUPS, start=1):
        fb.group(qualification=CODE, name=name, order=order)

    word_numbers = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6}
    for order, row in enumerate(rows, start=1):
        number = row["number"]
        ref = f"{SCHEME}-{number}"
        if row["group"] is not None and row["group"] not in GROUPS:
            raise SystemExit(f"unknown group {row['group']!r}")
        fb.membership(qualification=CODE, unit_ref=ref, status=row["status"], group=row["group"], order=order)
        if number not in pages:
            fb.unit(
                ref=ref,
                scheme=SCHEME,
                number=number,
                title=row["title"],
                level=row["level"],
                credits=row["credits"],
                glh=row["glh"],
                nos_code=row["nos_code"],
                notes=NO_CONTENT_NOTE,
                has_criteria_text=False,
            )
            continue

        intro = parse_intro(pages[number][0])
        outcomes, requirements = parse_content(pages[number][1])
        defects = list(UNIT_DEFECTS.get(number, []))
        # Cross-check the unit page against the structure table; any disagreement not already
        # recorded above stops the build so that it gets looked at.
        checks = {
            "title": (row["title"], intro["title"]),
            "level": (row["level"], intro["level"]),
            "credits": (row["credits"], intro["credits"]),
            "glh": (row["glh"], intro["glh"]),
            "nos": (row["nos_code"], intro["nos_printed"]),
            "content title": (row["title"], heading_title(pages[number][1])),
        }
        known = {("414", "glh"), ("417", "nos")}
        for what, (table_value, page_value) in checks.items():
            if table_value != page_value and (number, what) not in known:
                raise SystemExit(f"unit {number} {what}: table {table_value!r} vs page {page_value!r}")
        if word_numbers[intro["outcome_count_words"]] != len(outcomes):
            raise SystemExit(
                f"unit {number}: {intro['outcome_count_words']} outcomes announced, {len(outcomes)} found"
            )

        # Evidence requirement 1 is where each unit states its real-job / RWE / simulation position
        # (405 adds its staged-emergency exception there), so the note repeats it word for word.
        context = requirements[0]["text"]
        if "realistic working environment" not in context:
            raise SystemExit(f"unit {number}: evidence requirement 1 does not state the RWE position")
        fb.unit(
            ref=ref,
            scheme=SCHEME,
            number=number,
            title=row["title"],
            level=row["level"],
            credits=row["credits"],
            glh=row["glh"],
            nos_code=row["nos_code"],
            accreditation_number=intro["accreditation_number"],
            aim=intro["aim"],
            assessment=intro["assessment"],
            notes="\n".join(filter(None, [intro["notes"], UNIT_NOTES.get(number)])),
            defects="\n".join(defects),
            has_criteria_text=True,
            rwe_allowed=False,
            simulation_allowed=False,
            evidence_context_note=context,
            staged_drills_allowed="realistic practices are staged to test emergency procedures" in context,
            evidence_context_source=f"4430-04 handbook, unit {number}, evidence requirement 1",
        )
        for outcome in outcomes:
            kind = outcome_kind(outcome["title"])
            fb.outcome(unit_ref=ref, number=outcome["number"], title=outcome["title"], kind=kind)
            for position, criterion in enumerate(outcome["criteria"], start=1):
                if criterion["outcome"] != outcome["number"] or criterion["number"] != position:
                    raise SystemExit(f"unit {number}: criterion {criterion['ref']} out of sequence")
                fb.criterion(
                    unit_ref=ref,
                    outcome_number=outcome["number"],
                    number=position,
                    ref=criterion["ref"],
                    text=criterion["text"],
                    kind=kind,
                )
        order_counter = 0
        for position, requirement in enumerate(requirements, start=1):
            if requirement["printed"].rstrip(".") != str(position) and number != "408":
                raise SystemExit(
                    f"unit {number}: evidence requirement {requirement['printed']} at {position}"
                )
            req_ref = str(position)
            m = QUANTITY.search(requirement["text"])
            order_counter += 1
            fb.evidence_requirement(
                unit_ref=ref,
                ref=req_ref,
                text=requirement["text"],
                order=order_counter,
                min_count=NUMBER_WORDS[m.group(1)] if m else None,
            )
            for item in requirement["items"]:
                order_counter += 1
                fb.evidence_requirement(
                    unit_ref=ref,
                    ref=f"{req_ref}{item['letter']}",
                    parent_ref=req_ref,
                    text=item["text"],
                    order=order_counter,
                )

    fb.rule(
        qualification=CODE,
        order=1,
        kind="min_total_credits",
        params={"credits": 67},
        text=statements["total"],
    )
    fb.rule(
        qualification=CODE,
        order=2,
        kind="min_credits_at_level",
        params={"credits": 35, "level": "Level 4"},
        text=statements["level"],
    )
    fb.rule(
        qualification=CODE,
        order=3,
        kind="mandatory_units",
        params={"units": ["401", "402"]},
        text=statements["mandatory"],
    )
    optional = [row["number"] for row in rows if row["status"] == "optional"]
    fb.rule(
        qualification=CODE,
        order=4,
        kind="min_credits_from_units",
        params={"credits": 47, "units": optional, "label": "Optional units"},
        text=statements["further"],
    )
    for order, name in enumerate(GROUPS, start=5):
        fb.rule(
            qualification=CODE,
            order=order,
            kind="group_minimum",
            params={
                "group": name,
                "min_units": 1,
                "min_credits": None,
                "max_units": None,
                "max_credits": None,
            },
            text=statements["further"],
        )
    return fb


def main():
    fb = build()
    count = fb.write(OUTPUT)
    print(f"wrote {count} objects to {OUTPUT.relative_to(REPO)}")


if __name__ == "__main__":
    main()
