package org.polydesk.display.window;

import java.util.EnumMap;
import java.util.Map;
import javafx.scene.input.KeyCode;

/** JavaFX key codes to Linux key codes (input-event-codes.h), for the development window. */
final class WindowKeys {
    private static final Map<KeyCode, Integer> LINUX = new EnumMap<>(KeyCode.class);

    static {
        String row1 = "QWERTYUIOP";
        String row2 = "ASDFGHJKL";
        String row3 = "ZXCVBNM";
        for (int i = 0; i < row1.length(); i++) {
            LINUX.put(KeyCode.valueOf(String.valueOf(row1.charAt(i))), 16 + i);
        }
        for (int i = 0; i < row2.length(); i++) {
            LINUX.put(KeyCode.valueOf(String.valueOf(row2.charAt(i))), 30 + i);
        }
        for (int i = 0; i < row3.length(); i++) {
            LINUX.put(KeyCode.valueOf(String.valueOf(row3.charAt(i))), 44 + i);
        }
        for (int d = 1; d <= 9; d++) {
            LINUX.put(KeyCode.valueOf("DIGIT" + d), 1 + d);
        }
        LINUX.put(KeyCode.DIGIT0, 11);
        for (int f = 1; f <= 10; f++) {
            LINUX.put(KeyCode.valueOf("F" + f), 58 + f);
        }
        LINUX.put(KeyCode.F11, 87);
        LINUX.put(KeyCode.F12, 88);
        Object[][] rest = {
            {KeyCode.ESCAPE, 1}, {KeyCode.MINUS, 12}, {KeyCode.EQUALS, 13}, {KeyCode.BACK_SPACE, 14},
            {KeyCode.TAB, 15}, {KeyCode.OPEN_BRACKET, 26}, {KeyCode.CLOSE_BRACKET, 27}, {KeyCode.ENTER, 28},
            {KeyCode.CONTROL, 29}, {KeyCode.SEMICOLON, 39}, {KeyCode.QUOTE, 40}, {KeyCode.BACK_QUOTE, 41},
            {KeyCode.SHIFT, 42}, {KeyCode.BACK_SLASH, 43}, {KeyCode.COMMA, 51}, {KeyCode.PERIOD, 52},
            {KeyCode.SLASH, 53}, {KeyCode.ALT, 56}, {KeyCode.SPACE, 57}, {KeyCode.CAPS, 58},
            {KeyCode.NUM_LOCK, 69}, {KeyCode.SCROLL_LOCK, 70}, {KeyCode.ALT_GRAPH, 100}, {KeyCode.HOME, 102},
            {KeyCode.UP, 103}, {KeyCode.PAGE_UP, 104}, {KeyCode.LEFT, 105}, {KeyCode.RIGHT, 106},
            {KeyCode.END, 107}, {KeyCode.DOWN, 108}, {KeyCode.PAGE_DOWN, 109}, {KeyCode.INSERT, 110},
            {KeyCode.DELETE, 111}, {KeyCode.PAUSE, 119}, {KeyCode.WINDOWS, 125}, {KeyCode.META, 125},
            {KeyCode.CONTEXT_MENU, 127},
        };
        for (Object[] r : rest) {
            LINUX.put((KeyCode) r[0], (Integer) r[1]);
        }
    }

    private WindowKeys() {
    }

    /** The Linux key code, or -1 for a key the window does not pass on. */
    static int linux(KeyCode code) {
        Integer c = LINUX.get(code);
        return c == null ? -1 : c;
    }
}
