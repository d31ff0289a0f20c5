"""A made-up context for every notice kind (what each template expects: outbox/notices.py)."""

from datetime import UTC, date, datetime
from typing import Any

from carebroker.outbox.models import NoticeKind as K

# 10:00 on Monday 23 November 2026 in London is 10:00 UTC (GMT, winter).
DEADLINE = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)
DEADLINE_TEXT = "10:00 on Monday 23 November 2026"

# What a provider may see of a person before an award (docs/policies.md §6.2).
VIEW = {
    "name": "A.L.",
    "dob": "03/1941",
    "town": "Colchester",
    "postcode": "CO4 3",
    "needs": "Help with washing and dressing.",
}
ROWS = [
    {
        "mosaic_id": "M1001",
        "district": "CO4",
        "hours_per_week": 14,
        "preferred_start": date(2026, 12, 7),
        "urgent": True,
        "target_supply_area": True,
    },
    {
        "mosaic_id": "M1002",
        "district": "CO3",
        "hours_per_week": 7,
        "preferred_start": date(2027, 1, 4),
    },
]

SAMPLES: dict[str, dict[str, Any]] = {
    K.BATCH_REPORT: {
        "recipient": "Alder Homecare",
        "packages": ROWS,
        "area": "North",
        "deadline": DEADLINE,
    },
    K.OPEN_MARKET_LIST: {
        "recipient": "Alder Homecare",
        "packages": ROWS,
        "issued_on": date(2026, 11, 26),
    },
    K.REQUEST_SENT: {
        "recipient": "Alder Homecare",
        "round": "offer",
        "deadline": DEADLINE,
        "hours_per_week": 14,
        "preferred_start": date(2026, 12, 7),
        "area": "Canterbury cluster 2",
        "view": VIEW,
    },
    K.ISP_SENT: {"recipient": "Alder Homecare", "deadline": DEADLINE, "view": VIEW},
    K.CHASE: {"recipient": "Alder Homecare", "deadline": DEADLINE},
    K.QUERY_ANSWER: {
        "recipient": "Alder Homecare",
        "question": "Is a female carer required?",
        "answer": "Yes, for personal care.",
        "deadline": DEADLINE,
    },
    K.NOT_CHOSEN: {
        "recipient": "Alder Homecare",
        "code": "D2",
        "reason": "a lower price was offered",
    },
    K.AWARD: {
        "recipient": "Alder Homecare",
        "start": date(2026, 12, 7),
        "hourly_rate": "24.10",
    },
    K.REQUEST_WITHDRAWN: {"recipient": "Alder Homecare"},
    K.DECLINE_ACKNOWLEDGEMENT: {"recipient": "Alder Homecare", "reason": "No capacity in the area"},
    K.REFERRAL_RETURNED: {
        "recipient": "Dan Evans",
        "missing": ["Signed charging letter", "BICA up to date"],
        "received_at": DEADLINE,
    },
    K.APPROVAL_NEEDED: {"recipient": "Sam Patel", "decision": "approach non-contracted providers"},
    K.HOLD_PART_OFFER: {
        "recipient": "Dan Evans",
        "hours_per_week": 14,
        "offers": [{"provider": "Birch Care", "hours_per_week": 7, "hourly_rate": "22.00"}],
    },
    K.HOLD_UNABLE_TO_FILL: {
        "recipient": "Dan Evans",
        "reasons": [
            {"provider": "Birch Care", "reason": "no staff at weekends"},
            {"provider": "Cedar Support", "reason": "outside our area"},
        ],
    },
    K.OFF_FRAMEWORK_NOTICE: {"recipient": "Dan Evans"},
    K.FILLED: {
        "recipient": "Dan Evans",
        "provider": "Birch Care",
        "start": date(2026, 12, 7),
    },
    K.ESCALATION: {"recipient": "Team Manager", "level": "red", "days_waiting": 10},
    K.HANDBACK: {"recipient": "Sam Patel", "provider": "Birch Care", "reason": "staff shortage"},
    K.CAPACITY_REMINDER: {"recipient": "Birch Care", "area": "North", "until": date(2026, 11, 20)},
    K.IPA_COUNTERSIGNED: {"recipient": "Birch Care", "start": date(2026, 12, 7)},
    K.SERVICE_DELIVERY_ORDER: {
        "recipient": "Birch Care",
        "start": date(2026, 12, 7),
        "call_times": "08:00 and 18:00",
    },
    K.NOT_PLACED: {
        "recipient": "Sam Patel",
        "reasons": [{"provider": "Birch Care", "reason": "No carers free for these hours"}],
    },
    K.START_AGREED: {
        "recipient": "Sam Patel",
        "provider": "Birch Care",
        "start": date(2026, 12, 7),
    },
    K.REVIEW_OUTCOME: {
        "recipient": "Sam Patel",
        "outcome": "continue as it is",
        "next_step": "The next review is due on Monday 1 March 2027.",
    },
    K.STEP_OVERDUE: {
        "recipient": "Area Support Manager",
        "step": "the Service Delivery Order",
        "due": datetime(2026, 11, 26, 10, 0, tzinfo=UTC),
        "escalated": True,
    },
    K.REPORT: {
        "recipient": "Area Support Manager",
        "title": "Weekly Purchasing wash-up",
        "period": "16 November 2026 to 22 November 2026",
        "lines": [
            "All areas: 4 referrals in, 2 placed",
            "Waiting 10 or more working days: M1001, M1002",
        ],
    },
}
# What each kind's text must carry, beyond its subject's Mosaic ID.
MUST_SAY = {
    K.BATCH_REPORT: ["M1001", "M1002", "(URGENT)", "(Target Supply Area)", DEADLINE_TEXT],
    K.OPEN_MARKET_LIST: ["M1001", "M1002", "hourly rate", "Thursday 26 November 2026"],
    K.REQUEST_SENT: [DEADLINE_TEXT, "14 hours a week", "Monday 7 December 2026", "A.L.", "CO4 3"],
    K.ISP_SENT: [DEADLINE_TEXT, "password"],
    K.CHASE: [
        "We wrote to you about package M1001 and have not yet had your answer",
        DEADLINE_TEXT,
    ],
    K.QUERY_ANSWER: ["Is a female carer required?", "Yes, for personal care.", DEADLINE_TEXT],
    K.NOT_CHOSEN: ["D2", "a lower price was offered"],
    K.AWARD: ["£24.10 an hour", "Monday 7 December 2026"],
    K.REQUEST_WITHDRAWN: ["withdrawn"],
    K.DECLINE_ACKNOWLEDGEMENT: ["No capacity in the area"],
    K.REFERRAL_RETURNED: ["- Signed charging letter", "- BICA up to date"],
    K.APPROVAL_NEEDED: ["approach non-contracted providers"],
    K.HOLD_PART_OFFER: ["Birch Care: 7 hours a week at £22.00 an hour", "off the framework"],
    K.HOLD_UNABLE_TO_FILL: [
        "Birch Care: no staff at weekends",
        "Cedar Support: outside our area",
        "flexibility",
        "direct payment",
    ],
    K.OFF_FRAMEWORK_NOTICE: ["off the framework"],
    K.FILLED: ["Birch Care", "Monday 7 December 2026"],
    K.ESCALATION: ["10 working days", "escalated"],
    K.HANDBACK: ["Birch Care", "staff shortage"],
    K.REPORT: ["Weekly Purchasing wash-up", "is attached as a spreadsheet", "4 referrals in"],
    K.CAPACITY_REMINDER: ["in North until Friday 20 November 2026", "open Capacity"],
    K.IPA_COUNTERSIGNED: ["countersigned copy is attached", "Monday 7 December 2026"],
    K.SERVICE_DELIVERY_ORDER: ["Service Delivery Order is attached", "Monday 7 December 2026"],
    K.NOT_PLACED: ["Birch Care: No carers free for these hours", "not been able to place"],
    K.START_AGREED: ["Birch Care", "Monday 7 December 2026"],
    K.REVIEW_OUTCOME: ["continue as it is", "Monday 1 March 2027"],
    K.STEP_OVERDUE: ["the Service Delivery Order was due by", "Area Support Manager"],
}
