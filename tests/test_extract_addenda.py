"""Addenda that correct the procedure stand for it; addenda that only add leave it alone."""

BODY = ("Exam: taut bands L infraspinatus and L teres major with twitch responses.\n"
        "Procedure: TPI L infraspinatus x2 and L teres major x1, 1% lidocaine 1 mL per point. Tolerated.\n"
        "Plan: HEP, return 4 weeks.\n\n")


def sites(f):
    return sorted((m.name, m.laterality) for m in f.muscles)


def test_a_side_entered_in_error_is_corrected_by_the_addendum(extract):
    f = extract(BODY + "ADDENDUM 03/03/2025 08:10: laterality above entered in error. All three injections were on the "
                "right: R infraspinatus x2, R teres major x1.")
    assert sites(f) == [("infraspinatus", "right"), ("teres_major", "right")]
    assert f.injection_count == 3


def test_a_muscle_struck_by_the_addendum_is_dropped_with_its_points(extract):
    f = extract("Procedure: TPIs to the R quadratus lumborum, R gluteus medius and R piriformis, 2 points each, 6 injections, "
                "1 mL 0.5% bupivacaine per point.\n\nAddendum - correction: the R piriformis was not injected. Injections "
                "today: R quadratus lumborum x2 and R gluteus medius x2, 4 in total, bupivacaine 4 mL.")
    assert sites(f) == [("gluteus_medius", "right"), ("quadratus_lumborum", "right")]
    assert f.injection_count == 4
    assert [(d.name, d.total_dose) for d in f.drugs] == [("bupivacaine", 4)]


def test_an_addendum_that_only_adds_changes_nothing(extract):
    f = extract(BODY + "Addendum 03/04/2025: phoned the patient, sore at the sites only; R shoulder fine.")
    assert sites(f) == [("infraspinatus", "left"), ("teres_major", "left")]
    assert f.injection_count == 3


def test_a_correction_that_names_no_site_keeps_the_procedure(extract):
    f = extract(BODY + "ADDENDUM: correction - the lidocaine was 0.5 mL per point, not 1 mL.")
    assert sites(f) == [("infraspinatus", "left"), ("teres_major", "left")]


def test_a_finding_the_correcting_addendum_withdraws(extract):
    f = extract("Exam: taut band R quadratus lumborum with local twitch response.\n"
                "Procedure: TPI R QL x2, 1% lidocaine 1 mL per point. Tolerated.\n\n"
                "ADDENDUM (same day): correction to the exam above. On re-examination I could not reproduce the taut band "
                "and there was no twitch response; the exam line was carried over from a template in error. R QL x2 as above.")
    assert {p.kind for p in f.palpation} == set()
    f = extract("Exam: taut band R quadratus lumborum with local twitch response.\n"
                "Procedure: TPI R QL x2, 1% lidocaine 1 mL per point. Tolerated.\n\nAddendum: called the patient, doing well.")
    assert {p.kind for p in f.palpation} == {"taut_band", "twitch_response"}
