"""The interactive dashboard (`python run.py dashboard`): scenario exploration in Solara.

levers.py turns slider positions into scenario edits, compute.py runs ensembles in the
background through model.ensemble, views.py draws charts, map and tables, explorer.py and
single_run.py are the two pages, app.py is what `solara run` serves, assets.py installs
Solara's browser code where no CDN can be reached.
"""
