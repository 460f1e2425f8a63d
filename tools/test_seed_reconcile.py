"""The seed's reconciliation rules on small fixtures (run: python3 -m unittest discover -s tools).

Each test names the rule it checks; tools/seed_reconcile.py states them.
"""
import unittest

from seed_reconcile import reconcile, source_date, speaks_for


def row(status, source, source_date="", registered_on="", notes="", **more):
    return {"status": status, "source": source, "source_date": source_date,
            "registered_on": registered_on, "notes": notes, "in_force_on": "", "denounced_on": "",
            "minimum_age": "", **more}


OLD_LIST = row("not_ratified", "old list of non-ratifiers", "2014")
DERIVED = "new list - status derived: not among the 9 named non-ratifiers"


class NewestStatusWins(unittest.TestCase):
    def test_a_later_ratification_event_replaces_an_older_list(self):
        event = row("ratified", "ILO news", "2022-08-12", registered_on="2022-08-12")
        record, replaced = reconcile("CHN", "C029", [event, OLD_LIST])
        self.assertEqual(record["status"], "ratified")
        self.assertEqual(record["source"], "ILO news")
        self.assertEqual(replaced, [OLD_LIST])
        self.assertIn("Replaced: not_ratified per old list of non-ratifiers (as of 2014)", record["notes"])

    def test_an_undated_source_event_speaks_for_its_registration_day(self):
        event = row("ratified", "NORMLEX page", registered_on="2021-04-20")
        record, _ = reconcile("KOR", "C029", [OLD_LIST, event])
        self.assertEqual(record["status"], "ratified")
        self.assertEqual(record["source_date"], "")

    def test_a_newer_list_replaces_an_older_ratified_status(self):
        old = row("ratified", "old table", "2008")
        new = row("denounced", "2022 list", "2022-10")
        record, replaced = reconcile("MYS", "C105", [old, new])
        self.assertEqual(record["status"], "denounced")
        self.assertEqual(record["source_date"], "2022-10")
        # Ratified then denounced: the older row agrees that it was bound, nothing is replaced.
        self.assertEqual(replaced, [])

    def test_at_equal_days_the_row_given_first_wins(self):
        first = row("ratified", "first", "2020")
        second = row("ratified", "second", "2020")
        record, _ = reconcile("FRA", "C187", [first, second])
        self.assertEqual(record["source"], "first")

    def test_sources_of_one_day_that_disagree_stop_the_build(self):
        with self.assertRaises(SystemExit):
            reconcile("FRA", "C187", [row("ratified", "a", "2020"), row("not_ratified", "b", "2020")])


class DatesAreKept(unittest.TestCase):
    def test_a_dated_record_keeps_its_dates_when_a_later_source_agrees(self):
        dated = row("ratified", "NORMLEX page", "2019-01", registered_on="1963-05-16", in_force_on="1964-05-16")
        later = row("ratified", DERIVED, "2022-10")
        record, _ = reconcile("AFG", "C105", [dated, later])
        self.assertEqual(record["source"], DERIVED)
        self.assertEqual(record["source_date"], "2022-10")
        self.assertEqual(record["registered_on"], "1963-05-16")
        self.assertEqual(record["in_force_on"], "1964-05-16")
        self.assertEqual(record["source_incomplete"], "false")
        self.assertIn("Dates from: NORMLEX page (as of 2019-01).", record["notes"])

    def test_a_denounced_record_keeps_the_registration_of_its_ratification(self):
        ratified = row("ratified", "table", "2000", registered_on="1960-01-01")
        denounced = row("denounced", "list", "2022-10", denounced_on="2020-05-01")
        record, _ = reconcile("SGP", "C105", [ratified, denounced])
        self.assertEqual((record["registered_on"], record["denounced_on"]), ("1960-01-01", "2020-05-01"))

    def test_two_registration_days_for_one_pair_stop_the_build(self):
        with self.assertRaises(SystemExit):
            reconcile("ALB", "C098", [row("ratified", "a", registered_on="1957-06-03"),
                                      row("ratified", "b", registered_on="1957-06-04")])

    def test_a_ratification_without_a_day_is_marked_incomplete(self):
        record, _ = reconcile("ARE", "C105", [row("ratified", DERIVED, "2022-10")])
        self.assertEqual(record["registered_on"], "")
        self.assertEqual(record["source_incomplete"], "true")

    def test_a_not_ratified_status_is_not_incomplete(self):
        record, _ = reconcile("AFG", "C029", [OLD_LIST])
        self.assertEqual(record["source_incomplete"], "false")


class DerivedStatusesAreLabelled(unittest.TestCase):
    def test_a_status_derived_from_a_list_of_non_ratifiers_says_so(self):
        record, _ = reconcile("ARE", "C105", [row("ratified", DERIVED, "2022-10")])
        self.assertIn("Status derived: the source names the members that have not ratified", record["notes"])

    def test_a_named_status_is_not_labelled_derived(self):
        record, _ = reconcile("AFG", "C029", [OLD_LIST])
        self.assertNotIn("Status derived", record["notes"])

    def test_an_agreeing_derived_list_does_not_label_the_dated_winner(self):
        dated = row("ratified", "ILO news", "2023-01-05", registered_on="2023-01-05")
        record, _ = reconcile("JPN", "C105", [dated, row("ratified", DERIVED, "2022-10")])
        self.assertEqual(record["source"], "ILO news")
        self.assertNotIn("Status derived", record["notes"])
        self.assertIn("Also: " + DERIVED + " (as of 2022-10)", record["notes"])


class SourceDates(unittest.TestCase):
    def test_a_period_sorts_at_its_start_and_keeps_its_wording(self):
        self.assertEqual(source_date("2014 (summer)"), ("2014", "2014 (summer)"))
        self.assertEqual(source_date("2022-10"), ("2022-10", ""))
        self.assertEqual(source_date("crawl date unknown; after 2019"), ("", "crawl date unknown; after 2019"))
        self.assertLess(speaks_for(row("ratified", "x", "2014")), speaks_for(row("ratified", "y", "2014-01-01")))

    def test_a_row_with_no_day_sorts_before_every_dated_row(self):
        self.assertLess(speaks_for(row("ratified", "x")), speaks_for(row("ratified", "y", "1900")))


if __name__ == "__main__":
    unittest.main()
