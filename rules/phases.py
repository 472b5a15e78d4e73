"""Phases, not walls: the profile's stage is where the project is now; what comes after it.

An instrument that funds a later phase stays an option (the project needs to know how that
phase will be financed); one that funds no remaining phase is excluded. The innovation and
implementation chain is the seed's (000_3774adf2b4c550fa.txt §3.2.1 L1374: "where in the
innovation/implementation chain the project is to be situated"); a project at the planning
stage prepares an investment, so its next phases are deployment and operation.
"""

CHAIN = "000_3774adf2b4c550fa.txt §3.2.1 L1374"

REMAINING: dict[str, tuple[str, ...]] = {
    "planning": ("planning", "deployment", "operation"),
    "research": ("research", "pilot", "demonstration", "deployment", "operation"),
    "pilot": ("pilot", "demonstration", "deployment", "operation"),
    "demonstration": ("demonstration", "deployment", "operation"),
    "deployment": ("deployment", "operation"),
    "operation": ("operation",),
}


def phase_of(stages: tuple[str, ...] | list[str], stage: str) -> str | None:
    """The phase an instrument funds for a project at `stage`: now, else the earliest later one
    (None: it funds no remaining phase). An instrument that names no stage funds any."""
    if not stages:
        return stage
    for phase in REMAINING[stage]:
        if phase in stages:
            return phase
    return None
