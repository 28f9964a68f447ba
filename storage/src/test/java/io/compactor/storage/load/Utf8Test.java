package io.compactor.storage.load;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class Utf8Test {
    private static boolean valid(int... bytes) {
        byte[] b = new byte[bytes.length];
        for (int i = 0; i < b.length; i++) {
            b[i] = (byte) bytes[i];
        }
        return Utf8.isValid(b, 0, b.length);
    }

    @Test
    void acceptsWellFormedText() {
        byte[] b = "héllo 世界 😀 ok".getBytes(StandardCharsets.UTF_8);
        assertTrue(Utf8.isValid(b, 0, b.length));
        assertTrue(valid());
        assertTrue(valid(0xF4, 0x8F, 0xBF, 0xBF)); // U+10FFFF
    }

    @Test
    void refusesMalformedSequences() {
        assertFalse(valid(0x80), "lone continuation byte");
        assertFalse(valid(0xC0, 0xAF), "overlong 2-byte");
        assertFalse(valid(0xE0, 0x80, 0xAF), "overlong 3-byte");
        assertFalse(valid(0xF0, 0x80, 0x80, 0xAF), "overlong 4-byte");
        assertFalse(valid(0xED, 0xA0, 0x80), "surrogate");
        assertFalse(valid(0xF4, 0x90, 0x80, 0x80), "above U+10FFFF");
        assertFalse(valid(0xE4, 0xB8), "truncated");
        assertFalse(valid('a', 0xE4, 0x41, 0x41), "bad continuation");
        assertFalse(valid(0xFF));
    }

    @Test
    void checksOnlyTheGivenRange() {
        byte[] b = {(byte) 0xFF, 'a', 'b', (byte) 0xE4};
        assertTrue(Utf8.isValid(b, 1, 3));
    }
}
