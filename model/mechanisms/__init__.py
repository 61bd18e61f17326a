"""One module per mechanism of the brief (section 3), called in this order every quarter.

Each `step(m)` reads and writes the model's arrays (`m.firms_state`, `m.regions`, `m.policy`)
and draws only from its own named random stream, one number per firm slot, so that the
arms of a comparison see the same numbers (model/streams.py).
"""

from . import adoption, awareness, experimenting, labour, productivity, reshoring

ORDER = (awareness, experimenting, adoption, labour, productivity, reshoring)
