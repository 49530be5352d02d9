"""The seed qualifications as plain engine data, typed in from the handbooks (not from the fixtures).

4411: ../shared/seeds/003_9ca82c54247f0508.txt, Structure section and its unit table (columns: GLH, then
credit value). 4430-04: 004_c10caba6d4dbc3a8.txt, 1.1 Qualification structure (level, credit, GLH).
4430-02 and the 2006 Level 3 forms: only what the engine needs to show "cannot decide".
"""

from qualifications.rules import QualificationSpec, RuleSpec, UnitSpec

# number: (title, GLH, credits) — 4411 table; Entry 3 units 001-010, Level 1 units 101-110.
UNITS_4411 = {
    "001": ("The importance of appearance and behaviour in customer service", 15, 2),
    "002": ("Legislation, regulation and procedures to follow in customer service", 20, 2),
    "003": ("Understand how to deal with queries and requests", 20, 3),
    "004": ("Communicate customers' problems with others", 18, 2),
    "005": ("The customer service job role", 20, 2),
    "006": ("Handling telephone calls from customers", 18, 2),
    "007": ("Communicate effectively with customers", 18, 2),
    "008": ("Effective relationships with customers and colleagues", 20, 2),
    "009": ("Introduction to customer service", 20, 2),
    "010": ("Working in a customer focused way", 16, 2),
    "101": ("Create a good impression to customers", 18, 2),
    "102": ("Apply legislation, regulation and organisational procedures for customer service", 24, 3),
    "103": ("Deal with queries and requests", 22, 3),
    "104": ("Record and communicate customer problems", 18, 2),
    "105": ("Working in customer service", 18, 2),
    "106": ("Answer telephone calls from customers", 18, 2),
    "107": ("Positive communication with customers", 20, 2),
    "108": ("Contribute to effective customer service", 20, 2),
    "109": ("The customer service experience", 20, 2),
    "110": ("Work in a customer-friendly way", 18, 2),
}
ENTRY3 = [f"{n:03d}" for n in range(1, 11)]
LEVEL1 = [f"{n:03d}" for n in range(101, 111)]

# code: (total, level credits, level units, label, mandatory)
RULES_4411 = {
    "4411-30": (6, 4, ENTRY3, "Entry 3 units 001-010", ["002"]),
    "4411-33": (13, 7, ENTRY3, "Entry 3 units 001-010", ["002", "009"]),
    "4411-01": (7, 5, LEVEL1, "Level 1 units 101-110", ["102"]),
    "4411-11": (13, 7, LEVEL1, "Level 1 units 101-110", ["102", "105"]),
}


def spec_4411(code: str) -> QualificationSpec:
    total, level_credits, level_units, label, mandatory = RULES_4411[code]
    units = tuple(
        UnitSpec(
            number=n,
            ref=f"4411-{n}",
            title=title,
            level="Entry 3" if n in ENTRY3 else "Level 1",
            credits=credits,
            glh=glh,
            status="mandatory" if n in mandatory else "optional",
            group=None,
        )
        for n, (title, glh, credits) in UNITS_4411.items()
    )
    rules = [
        RuleSpec(1, "min_total_credits", {"credits": total}, f"a minimum of {total} credits"),
        RuleSpec(
            2, "min_credits_from_units", {"credits": level_credits, "units": level_units, "label": label}
        ),
        RuleSpec(3, "mandatory_units", {"units": mandatory}),
    ]
    rules += [
        RuleSpec(4 + k, "barred_pair", {"units": [e, one]}) for k, (e, one) in enumerate(zip(ENTRY3, LEVEL1))
    ]
    return QualificationSpec(
        code=code,
        title=f"Introduction to Customer Service ({code})",
        level="Entry 3" if code in ("4411-30", "4411-33") else "Level 1",
        rules_stated=True,
        units=units,
        rules=tuple(rules),
    )


GROUPS_4430 = ["Impression and Image", "Delivery", "Handling Problems", "Development and Improvement"]
# number: (title, level, credits, GLH, group or None for mandatory) — 4430-04 structure table.
UNITS_4430_04 = {
    "401": ("Demonstrate understanding of customer service management", 4, 10, 65, None),
    "402": (
        "Follow organisational rules, legislation and external regulations when managing customer service",
        4,
        10,
        65,
        None,
    ),
    "303": ("Deal with customers in writing or electronically", 3, 6, 40, "Impression and Image"),
    "304": ("Use customer service as a competitive tool", 3, 8, 53, "Impression and Image"),
    "305": (
        "Organise the promotion of additional services or products to customers",
        3,
        7,
        47,
        "Impression and Image",
    ),
    "306": ("Build a customer service knowledge set", 3, 7, 47, "Impression and Image"),
    "403": ("Champion customer service", 4, 10, 67, "Impression and Image"),
    "404": (
        "Make customer service environmentally friendly and sustainable",
        4,
        11,
        73,
        "Impression and Image",
    ),
    "307": ("Deliver customer service using service partnerships", 3, 6, 40, "Delivery"),
    "308": ("Organise the delivery of reliable customer service", 3, 6, 40, "Delivery"),
    "309": ("Improve the customer relationship", 3, 7, 47, "Delivery"),
    "405": ("Maintain and develop a healthy and safe customer service environment", 4, 8, 53, "Delivery"),
    "406": ("Plan, organise and control customer service operations", 4, 10, 67, "Delivery"),
    "407": ("Review the quality of customer service", 4, 8, 53, "Delivery"),
    "408": ("Build and maintain effective customer relations", 4, 8, 53, "Delivery"),
    "409": ("Deliver seamless customer service with a team", 4, 8, 53, "Delivery"),
    "310": ("Monitor and solve customer service problems", 3, 6, 40, "Handling Problems"),
    "311": ("Apply risk assessment to customer service", 3, 10, 67, "Handling Problems"),
    "312": ("Process customer service complaints", 3, 6, 40, "Handling Problems"),
    "410": ("Handle referred customer complaints", 4, 10, 67, "Handling Problems"),
    "313": ("Work with others to improve customer service", 3, 8, 53, "Development and Improvement"),
    "314": ("Promote continuous improvement", 3, 7, 47, "Development and Improvement"),
    "315": ("Develop your own and others' customer service skills", 3, 8, 53, "Development and Improvement"),
    "316": ("Lead a team to improve customer service", 3, 7, 47, "Development and Improvement"),
    "317": ("Gather, analyse and interpret customer feedback", 3, 10, 67, "Development and Improvement"),
    "318": ("Monitor the quality of customer service transactions", 3, 7, 47, "Development and Improvement"),
    "411": ("Implement quality improvements to customer service", 4, 10, 67, "Development and Improvement"),
    "412": (
        "Plan and organise the development of customer service staff",
        4,
        9,
        60,
        "Development and Improvement",
    ),
    "413": (
        "Develop a customer service strategy for a part of an organisation",
        4,
        11,
        73,
        "Development and Improvement",
    ),
    "414": ("Manage a customer service award programme", 4, 7, 47, "Development and Improvement"),
    "415": (
        "Apply technology or other resources to improve customer service",
        4,
        11,
        73,
        "Development and Improvement",
    ),
    "416": ("Review and re-engineer customer service processes", 4, 11, 73, "Development and Improvement"),
    "417": ("Manage customer service performance", 4, 7, 47, "Development and Improvement"),
}


def spec_4430_04(*, level_credits: int | None = 35, complete: bool = True) -> QualificationSpec:
    units = tuple(
        UnitSpec(
            number=n,
            ref=f"4430-{n}",
            title=title,
            level=f"Level {level}",
            credits=credits,
            glh=glh,
            status="optional" if group else "mandatory",
            group=group,
        )
        for n, (title, level, credits, glh, group) in UNITS_4430_04.items()
    )
    optional = [n for n, row in UNITS_4430_04.items() if row[4]]
    rules = [
        RuleSpec(1, "min_total_credits", {"credits": 67}, "Minimum Credit Value: 67"),
        RuleSpec(
            2,
            "min_credits_at_level",
            {"credits": level_credits, "level": "Level 4"},
            "A minimum of 35 credits must be at level 4",
            is_complete=complete,
            incomplete_reason="" if complete else "the number of credits was lost from the handbook",
        ),
        RuleSpec(3, "mandatory_units", {"units": ["401", "402"]}),
        RuleSpec(4, "min_credits_from_units", {"credits": 47, "units": optional, "label": "Optional units"}),
    ]
    rules += [
        RuleSpec(
            5 + k,
            "group_minimum",
            {"group": g, "min_units": 1, "min_credits": None, "max_units": None, "max_credits": None},
        )
        for k, g in enumerate(GROUPS_4430)
    ]
    return QualificationSpec(
        code="4430-04",
        title="Level 4 NVQ Diploma in Customer Service",
        level="Level 4",
        rules_stated=True,
        units=units,
        rules=tuple(rules),
        groups=tuple(GROUPS_4430),
    )


def spec_unstated() -> QualificationSpec:
    """The 2006 Level 3 forms: units, no rules of combination."""
    units = (
        UnitSpec(
            "301",
            "2006-301",
            "Organise, deliver and maintain reliable customer service",
            "Level 3",
            None,
            None,
            "optional",
        ),
        UnitSpec("302", "2006-302", "Improve the customer relationship", "Level 3", None, None, "optional"),
    )
    return QualificationSpec(
        code="CS-L3-2006",
        title="Level 3 N/SVQ in Customer Service (2006)",
        level="Level 3",
        rules_stated=False,
        units=units,
        rules=(),
    )
