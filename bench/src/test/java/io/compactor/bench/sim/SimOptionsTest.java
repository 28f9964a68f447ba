package io.compactor.bench.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class SimOptionsTest {
    private static String error(String... args) {
        return assertThrows(UsageException.class, () -> SimOptions.parse(args)).getMessage();
    }

    @Test
    void durationsInCommonUnits() {
        assertEquals(Duration.ofSeconds(30), Durations.parse("--duration", "30s"));
        assertEquals(Duration.ofMinutes(2), Durations.parse("--duration", "2m"));
        assertEquals(Duration.ofMinutes(90), Durations.parse("--duration", "1h30m"));
        assertEquals(Duration.ofMillis(500), Durations.parse("--duration", "500ms"));
        assertEquals(Duration.ofSeconds(45), Durations.parse("--duration", "45"));
        assertEquals(Duration.ofMillis(1500), Durations.parse("--duration", "1.5s"));
    }

    @Test
    void badDurationsNameTheFlag() {
        for (String bad : new String[] {"", "5x", "s", "10 s", "1m-3s", "0s", "-1s"}) {
            String m = assertThrows(UsageException.class, () -> Durations.parse("--duration", bad)).getMessage();
            assertTrue(m.startsWith("--duration: "), m);
        }
        assertTrue(error("steady", "--duration", "soon").startsWith("--duration: "));
    }

    @Test
    void loadsOffersACountInsteadOfADuration() {
        assertEquals(0, SimOptions.parse(new String[] {"steady"}).loads, "by --duration unless --loads is given");
        SimOptions o = SimOptions.parse(new String[] {"steady", "--loads", "250"});
        assertEquals(250, o.loads);
        assertEquals("250", o.describe().get("loads"));
        assertTrue(error("steady", "--loads", "0").startsWith("--loads: "));
        assertTrue(error("recovery", "--loads", "10").startsWith("--loads: "));
    }

    @Test
    void scenarioDefaultsThenFlags() {
        SimOptions o = SimOptions.parse(new String[] {"burst", "--rate=2", "--tables", "3", "--conf",
                "compactor.write_buffer_size=4096", "--target", "http://127.0.0.1:8040/"});
        assertEquals(ScenarioKind.BURST, o.scenario);
        assertEquals(2.0, o.rate);
        assertEquals(3, o.tables);
        assertEquals(ScenarioKind.BURST.buckets, o.buckets);
        assertEquals("4096", o.conf.get("write_buffer_size"));
        assertEquals("http://127.0.0.1:8040", o.target.toString());
        assertTrue(o.db.startsWith("sim_"), o.db);
        assertEquals("time_series", SimOptions.parse(new String[] {"timeseries"}).policy);
        assertEquals("sim", SimOptions.parse(new String[] {"steady"}).db);
    }

    @Test
    void groupCommitModesAndTheClientsThatOfferTheRate() {
        SimOptions async = SimOptions.parse(new String[] {"steady", "--rate", "200", "--group-commit", "async_mode"});
        assertEquals("async_mode", async.groupCommit);
        assertEquals(20, async.clients, "steady offers 200/s with loads of up to 100 ms");
        SimOptions sync = SimOptions.parse(new String[] {"steady", "--rate", "200", "--group-commit", "sync_mode",
                "--table-property", "group_commit_interval_ms=1000"});
        assertEquals(800, sync.clients, "rate x (interval + 3 s)");
        assertEquals(7, SimOptions.parse(new String[] {"steady", "--rate", "200", "--group-commit", "sync_mode",
                "--clients", "7"}).clients);
        assertEquals(4, SimOptions.parse(new String[] {"steady", "--rate", "10"}).clients);
        assertTrue(error("steady", "--group-commit", "fast").startsWith("--group-commit: "));
    }

    @Test
    void everyBadFlagIsNamed() {
        assertTrue(error("steady", "--rate", "fast").startsWith("--rate: "));
        assertTrue(error("steady", "--rate", "0").startsWith("--rate: "));
        assertTrue(error("steady", "--tables", "-1").startsWith("--tables: "));
        assertTrue(error("steady", "--clients", "1.5").startsWith("--clients: "));
        assertTrue(error("steady", "--policy", "leveled").startsWith("--policy: "));
        assertTrue(error("steady", "--target", "ftp://x").startsWith("--target: "));
        assertTrue(error("steady", "--conf", "novalue").startsWith("--conf: "));
        assertTrue(error("steady", "--seed").startsWith("--seed: missing value"));
        assertTrue(error("steady", "--hot-ratio", "2").startsWith("--hot-ratio: "));
        assertTrue(error("steady", "--bogus", "1").contains("'--bogus'"));
        assertTrue(error("steady", "extra").contains("'extra'"));
        assertTrue(error("nosuch").contains("unknown scenario 'nosuch'"));
        assertTrue(error().contains("missing scenario"));
    }

    @Test
    void usageListsEveryScenario() {
        String u = SimOptions.usage();
        for (ScenarioKind k : ScenarioKind.values()) {
            assertTrue(u.contains(k.cliName()), k.cliName());
        }
        assertTrue(u.contains("--target"));
    }
}
