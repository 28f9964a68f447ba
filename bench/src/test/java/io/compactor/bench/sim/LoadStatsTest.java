package io.compactor.bench.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class LoadStatsTest {
    @Test
    void classifiesDorisAnswers() {
        assertEquals(LoadStats.Outcome.SUCCESS, LoadStats.classify("Success", "OK"));
        assertEquals(LoadStats.Outcome.E235, LoadStats.classify("Fail", "[E-235]failed to init rowset builder."));
        assertEquals(LoadStats.Outcome.E235, LoadStats.classify("Fail",
                "failed to init rowset builder. version count: 2001, exceed limit: 2000, tablet: 10"));
        assertEquals(LoadStats.Outcome.E238, LoadStats.classify("Fail", "[E-238]too many segments in rowset."));
        assertEquals(LoadStats.Outcome.LABEL_EXISTS, LoadStats.classify("Label Already Exists", ""));
        assertEquals(LoadStats.Outcome.FAIL, LoadStats.classify("Fail", "too many filtered rows"));
    }

    @Test
    void countsFailuresIncludingE235AndGroupsMessagesByShape() {
        LoadStats s = new LoadStats();
        s.add(new LoadStats.Record(0, 5, "t", LoadStats.Outcome.SUCCESS, 1, 1, null));
        s.add(new LoadStats.Record(0, 5, "t", LoadStats.Outcome.E235, 1, 1, "version count: 2001, tablet: 7"));
        s.add(new LoadStats.Record(0, 5, "t", LoadStats.Outcome.E235, 1, 1, "version count: 2002, tablet: 9"));
        assertEquals(3, s.total());
        assertEquals(2, s.failed());
        assertEquals(2, s.e235());
        assertEquals(1, s.failureMessages().size());
        assertEquals(2, s.since(1).size());
    }
}
