"""One module per mechanism of the brief (section 3); `SmartIndustryModel.plan()` calls them in
order every quarter and `describe_plan()` prints that order with what each step reads and writes.

Each mechanism draws only from its own named random stream, a number keyed by firm and quarter
for each firm that needs one, so that the arms of a comparison see the same numbers
(model/streams.py). Awareness, the labour market
and competition take explicit inputs (the firm and province arrays, a few per-firm vectors and
their parameters), so that a test can run them on a handful of firms set up by hand.
"""

from . import adoption, awareness, competition, experimenting, labour, productivity, reshoring  # noqa: F401
