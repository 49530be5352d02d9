"""Build fixtures/4411.json from the City & Guilds 4411 handbook (v1.8, seeds/003_9ca82c54247f0508.txt).

The four qualifications 4411-30, 4411-33, 4411-01 and 4411-11 share the same 20 units (001-010 at
Entry 3, 101-110 at Level 1): each unit is one row with its outcomes, criteria ("criteria explained"
as the criterion's guidance), evidence guide and the quantities its criteria explained state.

Run from the repository root:  .venv/bin/python tools/catalogue/build_4411.py
The seed folder defaults to ../shared/seeds (override with SEEDS_DIR). At run time the fixture is the
source of truth; this script is how it was built. It stops with an error if the handbook text does
not have the shape it expects, rather than writing a partial fixture.
"""

import os
import re
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))

from tools.catalogue.fixture_writer import FixtureBuilder  # noqa: E402

SEED_NAME = "003_9ca82c54247f0508.txt"
SOURCE = f"seeds/{SEED_NAME}"
OUTPUT = REPO / "fixtures" / "4411.json"
SCHEME = "4411"
QUALIFICATION_CODES = ["4411-30", "4411-33", "4411-01", "4411-11"]
ENTRY3 = [f"{n:03d}" for n in range(1, 11)]
LEVEL1 = [f"{n:03d}" for n in range(101, 111)]
NUMBER_WORDS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6}

# Criteria whose "criteria explained" states more than one quantity. Each becomes one numbered
# evidence requirement (the sentence(s) as printed) with one lettered sub-item per quantity; the
# sub-item texts are exact fragments of the printed sentence. method only where the text names one, with
# every method it names ("observed by the Assessor/Witness": the assessor's observation or a witness's testimony).
MULTI_QUANTITY = {
    ("003", "1.1"): [("one product or one service it provides", 1, "")],
    ("009", "3.1"): [("one positive", 1, ""), ("one negative experience of being a customer", 1, "")],
    ("102", "1.1"): [
        ("select one customer service job", 1, ""),
        ("describe three limits of responsibility", 3, ""),
    ],
    ("103", "1.1"): [("one product", 1, ""), ("one service it provides", 1, "")],
    ("104", "1.1"): [
        ("question one customer", 1, ""),
        ("collect three pieces of detailed information about their problem", 3, ""),
    ],
    ("106", "1.2"): [
        (
            "say the appropriate greeting when answering the telephone to four customers (internal or external)",
            4,
            "",
        ),
        (
            "At least two of these calls should be observed by the Assessor/Witness",
            2,
            "observation,witness_testimony",
        ),
    ],
    ("108", "1.1"): [
        ("define at least five of the key customer service terms contained in the Glossary of Terms", 5, ""),
        ("give three examples of customer service language", 3, ""),
    ],
    ("110", "3.1"): [
        ("two positive", 2, ""),
        ("two negative areas of customer service that impress or annoy customers", 2, ""),
    ],
}
# 003 1.1 says "one product or one service": one requirement of one item, not two.
SINGLE_WHEN_ALTERNATIVE = {("003", "1.1")}

# Unit defects a reader of the handbook finds that the parser cannot detect.
MANUAL_UNIT_DEFECTS = {
    "110": [
        "Aim repeats unit 103's aim almost word for word (\"gain knowledge of the products and services and use "
        'that knowledge when dealing with customer queries and request"); it does not describe this unit.',
    ],
}
# Evidence guide tables whose cells extraction split line by line: unit 002 prints four lines, the
# second with no evidence at all, the fourth continuing the first ("The candidate could also ...").
# They are one row whose two cells span the four lines; joined as 001's "1.1, 1.2 2.2, 2.3" is.
MERGED_GUIDE_ROWS = {"002": (1, 4)}
MERGED_GUIDE_NOTE = (
    'Evidence guide: rows {first}-{last} of the extracted table (criteria "{refs}") are one row whose cells '
    "span several lines (one line had no evidence at all); stored as one row."
)
MANUAL_GUIDE_ROW_DEFECTS = {
    ("109", 1): "Guidance for criteria 2.2 and 2.3 sits in this row although its criteria column lists only "
    "3.1-3.5 (the row boundary appears misplaced).",
    (
        "109",
        2,
    ): 'Starts with evidence for performance ("Written statement ... describing performance") although '
    "it covers knowledge criteria 1.1-2.3 (the row boundary appears misplaced).",
}


class SourceShapeError(Exception):
    pass


def seeds_dir() -> Path:
    return Path(os.environ.get("SEEDS_DIR") or Path(__file__).resolve().parents[3] / "shared" / "seeds")


def clean(text: str) -> str:
    """Repair extraction damage only: markdown bold markers, stray spaces, broken lines."""
    text = text.replace("**", "")
    return re.sub(r"[ \t]+", " ", text).strip()


def norm(text: str) -> str:
    """Comparison key: case, hyphens, spacing and end punctuation do not count."""
    return re.sub(r"[\s\-]+", " ", clean(text).lower()).strip(" .")


def expect(condition, message):
    if not condition:
        raise SourceShapeError(message)


def level_label(raw: str) -> str:
    raw = raw.strip()
    return f"Level {raw}" if raw.isdigit() else raw


def html_cell(text: str) -> str:
    """An evidence-guide cell: '<p>a</p> <p>b</p>' (extraction markup) -> paragraphs."""
    parts = [clean(p) for p in re.split(r"</?p>", text)]
    return "\n\n".join(p for p in parts if p)


def paragraphs(lines: list[str]) -> str:
    """Join source lines: blank line = new paragraph; consecutive bullet lines stay one per line."""
    out, block = [], []
    for line in lines + [""]:
        if line.strip():
            block.append(clean(line))
        elif block:
            out.append("\n".join(block))
            block = []
    return "\n\n".join(out)


# --------------------------------------------------------------------------------------------- parsing


def parse_qualifications(lines):
    quals = {}
    for line in lines:
        m = re.match(r"^(City & Guilds .+?)\t(4411-\d\d)\t(\d{3}/\d{4}/\d)\t(\d+)\t(\d+)$", line)
        if m and m.group(2) not in quals:
            quals[m.group(2)] = {
                "title": m.group(1),
                "accreditation_number": m.group(3),
                "glh": int(m.group(4)),
                "tqt": int(m.group(5)),
            }
    expect(sorted(quals) == sorted(QUALIFICATION_CODES), f"qualification table: found {sorted(quals)}")
    return quals


def parse_structure(text):
    """The four 'To achieve ...' blocks of the Structure section."""
    blocks = {}
    pattern = re.compile(
        r"To achieve the \*\*(?P<name>.+?) \((?P<code>4411-\d\d)\)\*\* the learner must achieve a "
        r"\*\*minimum of (?P<total>\d+) credits\*\* (?P<rest>from the list of units provided.*?):\n\n"
        r"- (?P<b1>.+?)\n- (?P<b2>.+?)\n- (?P<b3>.+?)\n(?P<opts>(?: - .+\n)+)",
    )
    for m in pattern.finditer(text):
        code = m.group("code")
        total_text = clean(
            f"the learner must achieve a minimum of {m.group('total')} credits {m.group('rest')}"
        )
        b1, b2, b3 = clean(m.group("b1")), clean(m.group("b2")), clean(m.group("b3"))
        lvl = re.match(
            r"A minimum of (\d+) credits must be from (entry 3|level 1) units (\d{3})-(\d{3})$", b1
        )
        mand = re.match(r"(\d+) credits must be from the (?:entry 3|level 1) mandatory units? ([\d, ]+)$", b2)
        further = re.match(r"A further (\d+) credits", b3)
        expect(lvl and mand and further, f"{code}: rules of combination not in the expected wording")
        options = [clean(o.lstrip(" -")) for o in m.group("opts").strip("\n").split("\n")]
        blocks[code] = {
            "name": clean(m.group("name")),
            "total": int(m.group("total")),
            "total_text": total_text,
            "level_credits": int(lvl.group(1)),
            "level_text": b1,
            "level_units": [f"{n:03d}" for n in range(int(lvl.group(3)), int(lvl.group(4)) + 1)],
            "level_label": f"{lvl.group(2).capitalize()} units {lvl.group(3)}-{lvl.group(4)}",
            "mandatory_credits": int(mand.group(1)),
            "mandatory_text": b2,
            "mandatory": [u.strip() for u in mand.group(2).split(",")],
            "further_credits": int(further.group(1)),
            "further_text": b3,
            "further_options": options,
        }
    expect(sorted(blocks) == sorted(QUALIFICATION_CODES), f"structure: found {sorted(blocks)}")
    return blocks


def parse_unit_table(lines):
    rows = {}
    for line in lines:
        cells = line.split("\t")
        if len(cells) == 7 and re.fullmatch(r"\d{3}", cells[0]):
            number, title, accreditation, status, glh, credits, excluded = cells
            barred = re.fullmatch(r"Cannot be taken with unit (\d{3})", excluded.strip())
            expect(barred, f"structure table {number}: excluded combination {excluded!r}")
            rows[number] = {
                "title": title.strip(),
                "accreditation_number": accreditation.strip(),
                "status": status.strip(),
                "glh": int(glh),
                "credits": int(credits),
                "excluded_text": excluded.strip(),
                "barred_with": barred.group(1),
            }
    expect(sorted(rows) == ENTRY3 + LEVEL1, f"structure table: found units {sorted(rows)}")
    return rows


def mandatory_in(status_text: str) -> set[str]:
    """'Mandatory (for 4411-30,33) Optional (For 4411-01,11)' -> {'4411-30', '4411-33'}."""
    m = re.search(r"Mandatory \(for 4411-([\d, ]+)\)", status_text, re.IGNORECASE)
    if not m:
        expect(status_text == "Optional", f"status {status_text!r}")
        return set()
    return {f"4411-{s.strip()}" for s in m.group(1).split(",")}


def optional_in(status_text: str) -> set[str]:
    m = re.search(r"Optional \(for 4411-([\d, ]+)\)", status_text, re.IGNORECASE)
    if not m:
        return set(QUALIFICATION_CODES) if status_text == "Optional" else set()
    return {f"4411-{s.strip()}" for s in m.group(1).split(",")}


def unit_sections(lines):
    """(number, lines) for each unit page: from 'Unit NNN' + title + 'Level:' to the next unit."""
    starts = []
    for i, line in enumerate(lines):
        m = re.fullmatch(r"Unit (\d{3})", line.strip())
        if m:
            following = [ln for ln in lines[i + 1 : i + 6] if ln.strip()]
            if len(following) >= 2 and following[1].startswith("Level:"):
                starts.append((i, m.group(1)))
    end = next(i for i, ln in enumerate(lines) if ln.startswith("Appendix 1 Sources of general information"))
    sections = []
    for k, (i, number) in enumerate(starts):
        stop = starts[k + 1][0] if k + 1 < len(starts) else end
        sections.append((number, lines[i:stop]))
    expect([n for n, _ in sections] == ENTRY3 + LEVEL1, f"unit pages: found {[n for n, _ in sections]}")
    return sections


FIELD_NAMES = {
    "Level:": "level",
    "Credit value:": "credits",
    "NDAQ number:": "accreditation_number",
    "GLH:": "glh",
    "Assessment:": "assessment",
    "Aim:": "aim",
    "Endorsement of the unit by a sector or other appropriate body": "endorsement",
}
UNIT_HEADER = re.compile(r"^(\*\*)?Unit \d{3}\b")


def parse_unit(number, lines):
    unit = {"number": number, "title": clean(next(ln for ln in lines[1:] if ln.strip()))}
    for line in lines:
        label, _, value = line.partition("\t")
        if label in FIELD_NAMES and value:
            unit[FIELD_NAMES[label]] = clean(value)
    missing = {"level", "credits", "accreditation_number", "glh", "assessment", "aim", "endorsement"} - set(
        unit
    )
    expect(not missing, f"unit {number}: missing {missing}")
    unit["level"] = level_label(unit["level"])
    unit["credits"], unit["glh"] = int(unit["credits"]), int(unit["glh"])

    # The learning outcome list ("There are N learning outcomes to this unit. The learner will:").
    i = next(k for k, ln in enumerate(lines) if re.match(r"There are \S+ learning outcomes to this unit", ln))
    count_word = clean(re.match(r"There are (\S+)", lines[i]).group(1))
    listed = {}
    k = i + 1
    while k < len(lines) and not UNIT_HEADER.match(lines[k]):
        m = re.match(r"^(\d+)\. (.+)$", lines[k])
        if m:
            listed[int(m.group(1))] = clean(m.group(2))
        k += 1
    expect(list(listed) == list(range(1, len(listed) + 1)), f"unit {number}: outcome list {list(listed)}")
    expect(NUMBER_WORDS[count_word] == len(listed), f"unit {number}: says {count_word} outcomes")

    # Outcome blocks: heading ... 'Assessment Criteria' ... 'The learner can:' ... 'Criteria explained' ...
    crit_marks = [k for k, ln in enumerate(lines) if re.fullmatch(r"Assessment [Cc]riteria", ln.strip())]
    guide_mark = next(k for k, ln in enumerate(lines) if ln.strip() == "Evidence guide")
    expect(len(crit_marks) == len(listed), f"unit {number}: {len(crit_marks)} criteria blocks")
    outcomes = []
    heading_start = k  # first 'Unit NNN' line after the outcome list
    for n, mark in enumerate(crit_marks, start=1):
        heading = " ".join(clean(ln) for ln in lines[heading_start:mark] if ln.strip())
        heading = re.sub(rf"^Unit {number}\s*", "", heading)
        for variant in {unit["title"], unit["title"].replace("customer friendly", "customer-friendly")}:
            heading = heading.replace(variant, " ")
        hm = re.search(r"Outcome (\d+)\s+(.+)$", clean(heading))
        expect(hm and int(hm.group(1)) == n, f"unit {number}: outcome heading {heading!r}")
        explained = next(
            j for j in range(mark, len(lines)) if re.fullmatch(r"Criteria [Ee]xplained", lines[j].strip())
        )
        criteria = []
        for ln in lines[mark + 1 : explained]:
            m = re.match(r"^(\d+)\. (.+)$", ln)
            if m:
                expect(int(m.group(1)) == len(criteria) + 1, f"unit {number} outcome {n}: criterion {ln!r}")
                criteria.append(clean(m.group(2)))
            else:
                expect(ln.strip() in ("", "The learner can:"), f"unit {number} outcome {n}: stray {ln!r}")
        # Guidance runs to the next 'Unit NNN' header (next outcome page or the evidence guide).
        end = next(j for j in range(explained + 1, len(lines)) if UNIT_HEADER.match(lines[j]))
        guidance, current = {}, None
        for ln in lines[explained + 1 : end]:
            m = re.match(r"^For \*\*(\d+\.\d+)\*\*", ln)
            if m:
                current = m.group(1)
                expect(current not in guidance, f"unit {number}: guidance for {current} twice")
                guidance[current] = []
            if ln.strip():
                expect(current is not None, f"unit {number}: guidance text before any 'For x.y': {ln!r}")
            if current:
                guidance[current].append(ln)
        refs = [f"{n}.{c}" for c in range(1, len(criteria) + 1)]
        expect(
            list(guidance) == refs,
            f"unit {number} outcome {n}: guidance for {list(guidance)}, criteria {refs}",
        )
        title, heading_title = listed[n], hm.group(2).strip()
        if title.endswith(".") and title[:-1] == heading_title:
            title = heading_title  # the list's full stop is list punctuation, the heading has none
        outcomes.append(
            {
                "number": n,
                "title": title,
                "heading": heading_title,
                "criteria": [
                    {
                        "ref": ref,
                        "number": c,
                        "text": text,
                        "guidance_raw": guidance[ref],
                        "guidance": paragraphs(guidance[ref]),
                    }
                    for c, (ref, text) in enumerate(zip(refs, criteria, strict=True), start=1)
                ],
            }
        )
        heading_start = end
    expect(heading_start <= guide_mark, f"unit {number}: evidence guide before the last outcome")
    unit["outcomes"] = outcomes
    unit["guide"] = parse_guide(number, lines[guide_mark + 1 :])
    unit["guide_note"] = ""
    if number in MERGED_GUIDE_ROWS:
        first, last = MERGED_GUIDE_ROWS[number]
        span = unit["guide"][first - 1 : last]
        merged = {
            "criteria_refs": " ".join(r["criteria_refs"] for r in span),
            "evidence": "\n\n".join(r["evidence"] for r in span if r["evidence"]),
        }
        unit["guide"][first - 1 : last] = [merged]
        unit["guide_note"] = MERGED_GUIDE_NOTE.format(first=first, last=last, refs=merged["criteria_refs"])
    return unit


def parse_guide(number, lines):
    rows = []
    header_seen = False
    for ln in lines:
        if ln.startswith("Outcome\tPossible forms of evidence"):
            header_seen = True
            continue
        if not header_seen or not ln.strip():
            continue
        if "\t" in ln:
            refs, _, evidence = ln.partition("\t")
            rows.append({"criteria_refs": clean(refs), "evidence": html_cell(evidence)})
        else:
            # Paragraphs printed after the table's last row (unit 106): they continue that row's cell.
            expect(rows, f"unit {number}: evidence guide text before the table {ln!r}")
            rows[-1]["evidence"] = "\n\n".join(p for p in (rows[-1]["evidence"], html_cell(ln)) if p)
    expect(rows, f"unit {number}: no evidence guide rows")
    return rows


# ------------------------------------------------------------------------------------- interpretation


def outcome_kind(title):
    if title.startswith(("Know", "Understand")):
        return "knowledge"
    if title.startswith("Be able to"):
        return "performance"
    return None


SENTENCE_END = re.compile(r"(?<=[.?!])\s+(?=[A-Z(])")


def quantities(unit_number, criterion):
    """The evidence quantities a criterion's 'criteria explained' states (bold number words)."""
    raw = re.sub(
        r"[ \t]+",
        " ",
        " ".join(ln for ln in criterion["guidance_raw"] if ln.strip() and not ln.startswith("- ")),
    )
    bold_number = re.compile(r"\*\*(" + "|".join(NUMBER_WORDS) + r")\*\*")
    words = bold_number.findall(raw)
    if not words:
        return None
    sentence_text = " ".join(clean(s) for s in SENTENCE_END.split(raw) if bold_number.search(s))
    key = (unit_number, criterion["ref"])
    if key in SINGLE_WHEN_ALTERNATIVE:
        return {"text": sentence_text, "min_count": MULTI_QUANTITY[key][0][1], "method": "", "parts": []}
    if key in MULTI_QUANTITY:
        parts = MULTI_QUANTITY[key]
        for fragment, count, _ in parts:
            expect(fragment in sentence_text, f"{key}: fragment {fragment!r} not in {sentence_text!r}")
            word = next(w for w, c in NUMBER_WORDS.items() if c == count)
            expect(
                re.search(rf"\b{word}\b", fragment, re.IGNORECASE), f"{key}: {fragment!r} lacks its number"
            )
        return {"text": sentence_text, "min_count": None, "method": "", "parts": parts}
    expect(len(words) == 1, f"{key}: {len(words)} quantities {words}; add it to MULTI_QUANTITY")
    return {"text": sentence_text, "min_count": NUMBER_WORDS[words[0]], "method": "", "parts": []}


def guide_ref_tokens(refs_text):
    return re.findall(r"\d+(?:\.\d+)?", refs_text)


def build(seed_text: str) -> FixtureBuilder:
    lines = seed_text.split("\n")
    quals = parse_qualifications(lines)
    structure = parse_structure(seed_text)
    table = parse_unit_table(lines)
    units = {number: parse_unit(number, sec) for number, sec in unit_sections(lines)}
    expect(
        "Qualification registration is valid for 36 months." in seed_text, "36-month registration not found"
    )
    simulation_statement = (
        "As part of the assessment for these qualifications candidates can use a realistic working environment "
        "or simulation."
    )
    strategy_statement = (
        "All evidence in the portfolio for the skills learning outcomes must be generated in the workplace or a "
        "realistic working environment."
    )
    expect(
        simulation_statement in seed_text and strategy_statement in seed_text, "assessment statements moved"
    )
    all_criteria = {
        number: {c["ref"] for o in unit["outcomes"] for c in o["criteria"]} for number, unit in units.items()
    }

    fb = FixtureBuilder()
    for code in QUALIFICATION_CODES:
        q, s = quals[code], structure[code]
        members = ENTRY3 + LEVEL1
        mandatory = [n for n in members if code in mandatory_in(table[n]["status"])]
        expect(
            mandatory == s["mandatory"],
            f"{code}: table says mandatory {mandatory}, rules say {s['mandatory']}",
        )
        expect(
            sum(units[n]["credits"] for n in mandatory) == s["mandatory_credits"],
            f"{code}: mandatory credits",
        )
        expect(s["mandatory_credits"] + s["further_credits"] == s["total"], f"{code}: credits do not add up")
        defects = []
        for n in members:
            barred = table[n]["barred_with"]
            if n not in mandatory and barred in mandatory:
                defects.append(
                    f'Unit {n} is listed as optional for {code} but "{table[n]["excluded_text"]}", which is '
                    f"mandatory in {code}: unit {n} can never count towards this qualification."
                )
        defects.append(
            'The handbook\'s version table dates version 1.7 "July 2027", after version 1.8 (August 2025); '
            "recorded as printed."
        )
        fb.qualification(
            code=code,
            title=q["title"],
            level="Entry 3" if s["level_label"].startswith("Entry 3") else "Level 1",
            accreditation_number=q["accreditation_number"],
            glh=q["glh"],
            tqt=q["tqt"],
            registration_period_months=36,
            source=SOURCE,
            source_notes="\n".join(
                [
                    f"Title as in the handbook's 'Qualification at a glance' table; the Structure section names it "
                    f'"{s["name"]}".',
                    f"Rules of combination (Structure section): {s['total_text']}: {s['level_text']}; "
                    f"{s['mandatory_text']}; {s['further_text']}: {'; '.join(s['further_options'])}.",
                    "The further credits are the remainder of the total, not a cap; they are not a separate rule.",
                    "All 20 units (Entry 3 001-010, Level 1 101-110) are in the qualification: the further credits "
                    "may come from any of them; status per unit from the structure table's Mandatory/optional column.",
                    "No optional groups.",
                    "Qualification registration is valid for 36 months (section 4, Time constraints).",
                    f'Assessment strategy: "{strategy_statement}" Evidence requirements: "{simulation_statement}"',
                ]
            ),
            defects="\n".join(defects),
        )
        for order, n in enumerate(members, start=1):
            fb.membership(
                qualification=code,
                unit_ref=f"{SCHEME}-{n}",
                status="mandatory" if n in mandatory else "optional",
                order=order,
            )
            expect(
                code in optional_in(table[n]["status"]) or n in mandatory, f"{code}: unit {n} status unclear"
            )
        order = 1
        fb.rule(
            qualification=code,
            order=order,
            kind="min_total_credits",
            params={"credits": s["total"]},
            text=s["total_text"],
        )
        order += 1
        fb.rule(
            qualification=code,
            order=order,
            kind="min_credits_from_units",
            params={"credits": s["level_credits"], "units": s["level_units"], "label": s["level_label"]},
            text=s["level_text"],
        )
        order += 1
        fb.rule(
            qualification=code,
            order=order,
            kind="mandatory_units",
            params={"units": s["mandatory"]},
            text=s["mandatory_text"],
        )
        for n in ENTRY3:
            other = table[n]["barred_with"]
            expect(table[other]["barred_with"] == n, f"barred pair {n}/{other} is not symmetric")
            order += 1
            fb.rule(
                qualification=code,
                order=order,
                kind="barred_pair",
                params={"units": [n, other]},
                text=f"Unit {n}: {table[n]['excluded_text']}. Unit {other}: {table[other]['excluded_text']}.",
            )

    for number, unit in units.items():
        ref = f"{SCHEME}-{number}"
        row = table[number]
        defects, notes = list(MANUAL_UNIT_DEFECTS.get(number, [])), []
        for field in ("credits", "glh", "accreditation_number"):
            if row[field] != unit[field]:
                defects.append(
                    f"{field}: {row[field]} in the structure table, {unit[field]} on the unit page."
                )
        if row["title"] != unit["title"]:
            defects.append(
                f'Title printed "{unit["title"]}" on the unit page, "{row["title"]}" in the structure table.'
            )
        for o in unit["outcomes"]:
            if norm(o["heading"]) != norm(o["title"]):
                defects.append(
                    f'Outcome {o["number"]} is listed as "{o["title"]}" but its outcome page is headed '
                    f'"{o["heading"]}".'
                )
        notes.append(f"Endorsement of the unit by a sector or other appropriate body: {unit['endorsement']}")
        if unit["guide_note"]:
            notes.append(unit["guide_note"])
        fb.unit(
            ref=ref,
            scheme=SCHEME,
            number=number,
            title=unit["title"],
            level=unit["level"],
            credits=unit["credits"],
            glh=unit["glh"],
            accreditation_number=unit["accreditation_number"],
            aim=unit["aim"],
            assessment=unit["assessment"],
            rwe_allowed=True,
            simulation_allowed=True,
            evidence_context_note=(
                'Unit assessment line: "Evidence for the portfolio can be collected in either the real workplace '
                f'or a realistic working environment". Handbook section 4: "{simulation_statement}"'
            ),
            notes="\n".join(notes),
            defects="",  # defects filled below, after the evidence guide checks
            evidence_context_source=f"4411 handbook, unit {number} (Assessment) and section 4",
        )
        unit_obj = fb.objects["qualifications.unit"][-1]["fields"]
        cited = set()
        req_no, req_order = 0, 0
        for o in unit["outcomes"]:
            kind = outcome_kind(o["title"]) or outcome_kind(o["heading"])
            expect(kind, f"unit {number} outcome {o['number']}: kind of {o['title']!r}")
            if outcome_kind(o["title"]) is None:
                notes.append(
                    f'Outcome {o["number"]} ("{o["title"]}") is recorded as {kind}: its outcome page heading '
                    f'reads "{o["heading"]}".'
                )
            fb.outcome(unit_ref=ref, number=o["number"], title=o["title"], kind=kind)
            for c in o["criteria"]:
                fb.criterion(
                    unit_ref=ref,
                    outcome_number=o["number"],
                    number=c["number"],
                    ref=c["ref"],
                    text=c["text"],
                    kind=kind,
                    guidance=c["guidance"],
                )
                q = quantities(number, c)
                if q is None:
                    continue
                req_no += 1
                req_order += 1
                fb.evidence_requirement(
                    unit_ref=ref,
                    ref=str(req_no),
                    text=q["text"],
                    order=req_order,
                    min_count=q["min_count"],
                    method=q["method"],
                    criteria=[c["ref"]],
                )
                for letter, (fragment, count, method) in zip("abcdef", q["parts"], strict=False):
                    req_order += 1
                    fb.evidence_requirement(
                        unit_ref=ref,
                        ref=f"{req_no}{letter}",
                        parent_ref=str(req_no),
                        text=fragment,
                        order=req_order,
                        min_count=count,
                        method=method,
                        criteria=[c["ref"]],
                    )
        for order, g in enumerate(unit["guide"], start=1):
            problems = []
            tokens = guide_ref_tokens(g["criteria_refs"])
            missing = [t for t in tokens if "." in t and t not in all_criteria[number]]
            if missing:
                problems.append(
                    f"Cites criterion {', '.join(missing)}, which does not exist in unit {number}."
                )
            bare = [t for t in tokens if "." not in t]
            if bare:
                problems.append(f"Cites {', '.join(bare)}: outcome numbers, not assessment criteria.")
            cited.update(t for t in tokens if "." in t)
            if not g["evidence"]:
                problems.append("No evidence is printed in this row.")
            if (number, order) in MANUAL_GUIDE_ROW_DEFECTS:
                problems.append(MANUAL_GUIDE_ROW_DEFECTS[(number, order)])
            fb.guide_row(
                unit_ref=ref,
                order=order,
                criteria_refs=g["criteria_refs"],
                evidence=g["evidence"],
                defect=" ".join(problems),
            )
            defects.extend(f'Evidence guide row {order} ("{g["criteria_refs"]}"): {p}' for p in problems)
            for other_unit, other_refs in re.findall(
                r"Unit (\d{3}) \((?:(?!assessment criteria)[^)])*\)? ?assessment criteria ((?:\d\.\d(?: and | & |, )?)+)",
                g["evidence"],
            ):
                for other_ref in re.findall(r"\d\.\d", other_refs):
                    expect(
                        other_ref in all_criteria[other_unit],
                        f"{number}: cross-reference {other_unit} {other_ref}",
                    )
        uncited = sorted(all_criteria[number] - cited, key=lambda r: tuple(map(int, r.split("."))))
        if uncited:
            defects.append(f"The evidence guide names no row for criteria {', '.join(uncited)}.")
        notes.append(
            "Evidence requirements are the quantities the criteria explained state (bold in the handbook), "
            "one per criterion, with lettered sub-items where a criterion states several."
        )
        unit_obj["defects"] = "\n".join(defects)
        unit_obj["notes"] = "\n".join(notes)
    return fb


def main():
    seed = seeds_dir() / SEED_NAME
    try:
        fb = build(seed.read_text(encoding="utf-8"))
    except SourceShapeError as exc:
        sys.exit(f"{seed}: {exc}")
    count = fb.write(OUTPUT)
    print(f"Wrote {count} objects to {OUTPUT.relative_to(REPO)}")


if __name__ == "__main__":
    main()
