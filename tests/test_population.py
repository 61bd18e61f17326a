"""The synthetic population reproduces the published margins it is built from (issue 12)."""

import numpy as np
import pytest

from smartregion.model import data, params, population
from smartregion.model.regions import PROVINCES, SECTORS, SIZE_CLASSES


@pytest.fixture(scope="module")
def pop():
    return population.build_population(np.random.default_rng(7), params.resolve(), 1.0)


def test_province_sector_size_counts_are_the_allocated_margins(pop):
    sizes, sectors = data.firm_size_classes(), data.sector_table()
    emp = data.province_manufacturing_employment()
    share = population.province_sector_shares(emp / emp.sum(), sectors["firm_share"].to_numpy(),
                                              data.province_sector_tilt())
    counts = np.zeros((len(SIZE_CLASSES), len(PROVINCES), len(SECTORS)), dtype=int)
    np.add.at(counts, (pop.size_class, pop.province, pop.sector), 1)
    # Every size class exactly as published (CBS 81644NED / firm_size_classes.csv).
    assert (counts.sum(axis=(1, 2)) == sizes["firms"].to_numpy()).all()
    # Each (size, province, sector) cell is its expected count rounded: never more than one off.
    expected = sizes["firms"].to_numpy()[:, None, None] * share
    assert np.abs(counts - expected).max() < 1.0
    # Province firm shares follow manufacturing employment; national branch shares follow sectors.csv.
    assert np.allclose(counts.sum(axis=(0, 2)) / pop.n, emp / emp.sum(), atol=2 / pop.n * len(SECTORS))
    assert np.allclose(counts.sum(axis=(0, 1)) / pop.n, sectors["firm_share"], atol=2 / pop.n * len(PROVINCES))


def test_specialisation_shows_in_the_province_mix(pop):
    # Brainport's machinery and electronics, Limburg's chemicals: above their national shares.
    nb, li = PROVINCES.index("NB"), PROVINCES.index("LI")
    nat = np.bincount(pop.sector, minlength=len(SECTORS)) / pop.n
    mix = lambda p: np.bincount(pop.sector[pop.province == p], minlength=len(SECTORS)) / (pop.province == p).sum()  # noqa: E731
    assert mix(nb)[SECTORS.index("machinery")] > 1.4 * nat[SECTORS.index("machinery")]
    assert mix(nb)[SECTORS.index("electronics")] > 1.4 * nat[SECTORS.index("electronics")]
    assert mix(li)[SECTORS.index("chemicals")] > 1.4 * nat[SECTORS.index("chemicals")]


def test_employment_totals_within_sampling_error(pop):
    sizes = data.firm_size_classes()
    target = data.province_manufacturing_employment() - 51620 * data.province_manufacturing_employment() / \
        data.province_manufacturing_employment().sum()  # one-person establishments are not modelled
    emp = np.bincount(pop.province, weights=pop.employees, minlength=len(PROVINCES))
    # Sampling sd per province from the within-class spread of the drawn sizes.
    var_k = np.array([pop.employees[pop.size_class == k].var() for k in range(len(SIZE_CLASSES))])
    n_pk = np.zeros((len(PROVINCES), len(SIZE_CLASSES)))
    np.add.at(n_pk, (pop.province, pop.size_class), 1)
    sd = np.sqrt(n_pk @ var_k)
    assert (np.abs(emp - target) < 4 * sd).all(), (emp - target) / sd
    assert abs(emp.sum() - target.sum()) < 4 * np.sqrt((sd ** 2).sum())
    assert (sizes["firms"] * sizes["mean_employees"]).sum() == pytest.approx(target.sum(), rel=0.001)


def test_size_draws_have_the_class_means():
    # The bounded power law per class must be unbiased, or the employment totals drift.
    means = data.firm_size_classes()["mean_employees"].to_numpy()
    sc = np.repeat(np.arange(len(means)), 200_000).astype(np.int8)
    e = population._draw_employees(np.random.default_rng(0), sc, means)
    assert np.allclose([e[sc == k].mean() for k in range(len(means))], means, rtol=0.01)


def test_firms_sit_in_corop_areas_of_their_province_by_value_added(pop):
    c = data.corop_table()
    assert (c["province"].to_numpy()[pop.corop] == np.array(PROVINCES)[pop.province]).all()
    nb = pop.province == PROVINCES.index("NB")
    zo = c.index[c["name"] == "Zuidoost-Noord-Brabant"][0]
    areas = c.index[c["province"] == "NB"]
    w = c.loc[zo, "manufacturing_va_meur"] / c.loc[areas, "manufacturing_va_meur"].sum()
    k = nb.sum()
    assert abs((pop.corop[nb] == zo).mean() - w) < 4 * np.sqrt(w * (1 - w) / k)


def test_peer_links_decay_with_distance_and_hotspots_are_denser(pop):
    deg = np.diff(pop.peers.indptr)
    rows = np.repeat(np.arange(pop.n), deg)
    same_area = (pop.corop[rows] == pop.corop[pop.peers.indices]).mean()
    # Without distance decay a link inside the own province would land in the own area with the
    # area's share of the province's firms; decay makes it more likely.
    c = data.corop_table()
    firms_area = np.bincount(pop.corop, minlength=len(c))
    firms_prov = np.bincount(pop.province, minlength=len(PROVINCES))
    prov_of_area = np.array([PROVINCES.index(p) for p in c["province"]])
    uniform = (firms_area[pop.corop] / firms_prov[prov_of_area[pop.corop]]).mean()
    same_prov = (pop.province[rows] == pop.province[pop.peers.indices]).mean()
    assert same_area > 1.2 * uniform * same_prov
    hot = c["hotspot"].to_numpy(dtype=bool)[pop.corop]
    assert deg[hot].mean() > 1.3 * deg[~hot].mean()


def test_branch_productivity_sets_the_province_level(pop):
    sectors = data.sector_table()
    nl = data.manufacturing_account("NL", "manufacturing_productivity")
    for p in (PROVINCES.index("NB"), PROVINCES.index("FR")):
        mine = pop.province == p
        expected = nl * sectors["productivity_factor"].to_numpy()[pop.sector[mine]].mean()
        assert pop.productivity[mine].mean() == pytest.approx(expected, rel=0.03)


def test_hub_contact_cost_scales_with_the_firms_a_hub_serves():
    from smartregion.model.instruments import hub_contact_cost

    firms = np.array([500, 600, 400, 1300, 1800, 700, 1550, 200, 2000, 400, 3050, 1250], dtype=float)
    north = np.isin(np.array(PROVINCES), ["GR", "FR", "DR"])
    south = np.isin(np.array(PROVINCES), ["NB", "LI", "ZE"])
    assert hub_contact_cost(2500, 0.0, firms, north, 5) == 2500 == hub_contact_cost(2500, 0.0, firms, south, 5)
    c_north, c_south = hub_contact_cost(2500, 0.5, firms, north, 5), hub_contact_cost(2500, 0.5, firms, south, 5)
    assert c_north > 2500 > c_south
    # elasticity 0.5: cost ratio is the square root of the inverse firm ratio
    assert c_north / c_south == pytest.approx((firms[south].sum() / firms[north].sum()) ** 0.5)
    # a ratio of firm counts: the population scale does not change it
    assert hub_contact_cost(2500, 0.5, firms * 0.1, north, 5) == pytest.approx(c_north)
