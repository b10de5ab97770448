package org.polydesk.input.evdev;

import java.util.HashMap;
import java.util.Map;

/**
 * The keyboard keys the input server knows: Linux key code, the name used in input.json (Linux's
 * KEY_ name in lower case), QEMU's key code (qcode, for QMP input-send-event) and the X keysyms an
 * RFB server is sent (US layout, without and with Shift), and the key's place as a PC scan code in
 * QEMU's numbering (qnum: set 1, 0x80 added for the E0-prefixed keys; 0 where there is none), which
 * RFB's QEMU extended key event carries so that the server applies its own layout. A key missing
 * here is not forwarded.
 */
public final class KeyTable {
    public record Key(int code, String name, String qcode, int keysym, int shiftedKeysym, int qnum) {
    }

    /** The E0-prefixed keys' scan codes by Linux code; Linux codes 1-83 and 86-88 are their own scan code. */
    private static final Map<Integer, Integer> EXTENDED_QNUM = Map.ofEntries(
            Map.entry(96, 0x9c), Map.entry(97, 0x9d), Map.entry(98, 0xb5), Map.entry(99, 0xb7),
            Map.entry(100, 0xb8), Map.entry(102, 0xc7), Map.entry(103, 0xc8), Map.entry(104, 0xc9),
            Map.entry(105, 0xcb), Map.entry(106, 0xcd), Map.entry(107, 0xcf), Map.entry(108, 0xd0),
            Map.entry(109, 0xd1), Map.entry(110, 0xd2), Map.entry(111, 0xd3), Map.entry(113, 0xa0),
            Map.entry(114, 0xae), Map.entry(115, 0xb0), Map.entry(116, 0xde), Map.entry(117, 0x59),
            Map.entry(119, 0xc6), Map.entry(121, 0x7e), Map.entry(125, 0xdb), Map.entry(126, 0xdc),
            Map.entry(127, 0xdd), Map.entry(142, 0xdf), Map.entry(143, 0xe3), Map.entry(163, 0x99),
            Map.entry(164, 0xa2), Map.entry(165, 0x90), Map.entry(166, 0xa4));

    private static final Key[] BY_CODE = new Key[EventCodes.KEY_MAX + 1];
    private static final Map<String, Key> BY_NAME = new HashMap<>();

    static {
        add(1, "esc", "esc", 0xff1b, 0xff1b);
        add(2, "1", "1", 0x31, 0x21);
        add(3, "2", "2", 0x32, 0x40);
        add(4, "3", "3", 0x33, 0x23);
        add(5, "4", "4", 0x34, 0x24);
        add(6, "5", "5", 0x35, 0x25);
        add(7, "6", "6", 0x36, 0x5e);
        add(8, "7", "7", 0x37, 0x26);
        add(9, "8", "8", 0x38, 0x2a);
        add(10, "9", "9", 0x39, 0x28);
        add(11, "0", "0", 0x30, 0x29);
        add(12, "minus", "minus", 0x2d, 0x5f);
        add(13, "equal", "equal", 0x3d, 0x2b);
        add(14, "backspace", "backspace", 0xff08, 0xff08);
        add(15, "tab", "tab", 0xff09, 0xff09);
        add(16, "q", "q", 0x71, 0x51);
        add(17, "w", "w", 0x77, 0x57);
        add(18, "e", "e", 0x65, 0x45);
        add(19, "r", "r", 0x72, 0x52);
        add(20, "t", "t", 0x74, 0x54);
        add(21, "y", "y", 0x79, 0x59);
        add(22, "u", "u", 0x75, 0x55);
        add(23, "i", "i", 0x69, 0x49);
        add(24, "o", "o", 0x6f, 0x4f);
        add(25, "p", "p", 0x70, 0x50);
        add(26, "leftbrace", "bracket_left", 0x5b, 0x7b);
        add(27, "rightbrace", "bracket_right", 0x5d, 0x7d);
        add(28, "enter", "ret", 0xff0d, 0xff0d);
        add(29, "leftctrl", "ctrl", 0xffe3, 0xffe3);
        add(30, "a", "a", 0x61, 0x41);
        add(31, "s", "s", 0x73, 0x53);
        add(32, "d", "d", 0x64, 0x44);
        add(33, "f", "f", 0x66, 0x46);
        add(34, "g", "g", 0x67, 0x47);
        add(35, "h", "h", 0x68, 0x48);
        add(36, "j", "j", 0x6a, 0x4a);
        add(37, "k", "k", 0x6b, 0x4b);
        add(38, "l", "l", 0x6c, 0x4c);
        add(39, "semicolon", "semicolon", 0x3b, 0x3a);
        add(40, "apostrophe", "apostrophe", 0x27, 0x22);
        add(41, "grave", "grave_accent", 0x60, 0x7e);
        add(42, "leftshift", "shift", 0xffe1, 0xffe1);
        add(43, "backslash", "backslash", 0x5c, 0x7c);
        add(44, "z", "z", 0x7a, 0x5a);
        add(45, "x", "x", 0x78, 0x58);
        add(46, "c", "c", 0x63, 0x43);
        add(47, "v", "v", 0x76, 0x56);
        add(48, "b", "b", 0x62, 0x42);
        add(49, "n", "n", 0x6e, 0x4e);
        add(50, "m", "m", 0x6d, 0x4d);
        add(51, "comma", "comma", 0x2c, 0x3c);
        add(52, "dot", "dot", 0x2e, 0x3e);
        add(53, "slash", "slash", 0x2f, 0x3f);
        add(54, "rightshift", "shift_r", 0xffe2, 0xffe2);
        add(55, "kpasterisk", "kp_multiply", 0xffaa, 0xffaa);
        add(56, "leftalt", "alt", 0xffe9, 0xffe9);
        add(57, "space", "spc", 0x20, 0x20);
        add(58, "capslock", "caps_lock", 0xffe5, 0xffe5);
        add(59, "f1", "f1", 0xffbe, 0xffbe);
        add(60, "f2", "f2", 0xffbf, 0xffbf);
        add(61, "f3", "f3", 0xffc0, 0xffc0);
        add(62, "f4", "f4", 0xffc1, 0xffc1);
        add(63, "f5", "f5", 0xffc2, 0xffc2);
        add(64, "f6", "f6", 0xffc3, 0xffc3);
        add(65, "f7", "f7", 0xffc4, 0xffc4);
        add(66, "f8", "f8", 0xffc5, 0xffc5);
        add(67, "f9", "f9", 0xffc6, 0xffc6);
        add(68, "f10", "f10", 0xffc7, 0xffc7);
        add(69, "numlock", "num_lock", 0xff7f, 0xff7f);
        add(70, "scrolllock", "scroll_lock", 0xff14, 0xff14);
        add(71, "kp7", "kp_7", 0xffb7, 0xffb7);
        add(72, "kp8", "kp_8", 0xffb8, 0xffb8);
        add(73, "kp9", "kp_9", 0xffb9, 0xffb9);
        add(74, "kpminus", "kp_subtract", 0xffad, 0xffad);
        add(75, "kp4", "kp_4", 0xffb4, 0xffb4);
        add(76, "kp5", "kp_5", 0xffb5, 0xffb5);
        add(77, "kp6", "kp_6", 0xffb6, 0xffb6);
        add(78, "kpplus", "kp_add", 0xffab, 0xffab);
        add(79, "kp1", "kp_1", 0xffb1, 0xffb1);
        add(80, "kp2", "kp_2", 0xffb2, 0xffb2);
        add(81, "kp3", "kp_3", 0xffb3, 0xffb3);
        add(82, "kp0", "kp_0", 0xffb0, 0xffb0);
        add(83, "kpdot", "kp_decimal", 0xffae, 0xffae);
        add(86, "102nd", "less", 0x3c, 0x3e);
        add(87, "f11", "f11", 0xffc8, 0xffc8);
        add(88, "f12", "f12", 0xffc9, 0xffc9);
        add(96, "kpenter", "kp_enter", 0xff8d, 0xff8d);
        add(97, "rightctrl", "ctrl_r", 0xffe4, 0xffe4);
        add(98, "kpslash", "kp_divide", 0xffaf, 0xffaf);
        add(99, "sysrq", "print", 0xff61, 0xff61);
        add(100, "rightalt", "alt_r", 0xffea, 0xffea);
        add(102, "home", "home", 0xff50, 0xff50);
        add(103, "up", "up", 0xff52, 0xff52);
        add(104, "pageup", "pgup", 0xff55, 0xff55);
        add(105, "left", "left", 0xff51, 0xff51);
        add(106, "right", "right", 0xff53, 0xff53);
        add(107, "end", "end", 0xff57, 0xff57);
        add(108, "down", "down", 0xff54, 0xff54);
        add(109, "pagedown", "pgdn", 0xff56, 0xff56);
        add(110, "insert", "insert", 0xff63, 0xff63);
        add(111, "delete", "delete", 0xffff, 0xffff);
        add(113, "mute", "audiomute", 0x1008ff12, 0x1008ff12);
        add(114, "volumedown", "volumedown", 0x1008ff11, 0x1008ff11);
        add(115, "volumeup", "volumeup", 0x1008ff13, 0x1008ff13);
        add(116, "power", "power", 0x1008ff2a, 0x1008ff2a);
        add(117, "kpequal", "kp_equals", 0xffbd, 0xffbd);
        add(119, "pause", "pause", 0xff13, 0xff13);
        add(121, "kpcomma", "kp_comma", 0xffac, 0xffac);
        add(125, "leftmeta", "meta_l", 0xffeb, 0xffeb);
        add(126, "rightmeta", "meta_r", 0xffec, 0xffec);
        add(127, "compose", "compose", 0xff67, 0xff67);
        add(142, "sleep", "sleep", 0x1008ff2f, 0x1008ff2f);
        add(143, "wakeup", "wake", 0x1008ff2b, 0x1008ff2b);
        add(163, "nextsong", "audionext", 0x1008ff17, 0x1008ff17);
        add(164, "playpause", "audioplay", 0x1008ff14, 0x1008ff14);
        add(165, "previoussong", "audioprev", 0x1008ff16, 0x1008ff16);
        add(166, "stopcd", "audiostop", 0x1008ff15, 0x1008ff15);
        add(183, "f13", "f13", 0xffca, 0xffca);
        add(184, "f14", "f14", 0xffcb, 0xffcb);
        add(185, "f15", "f15", 0xffcc, 0xffcc);
        add(186, "f16", "f16", 0xffcd, 0xffcd);
        add(187, "f17", "f17", 0xffce, 0xffce);
        add(188, "f18", "f18", 0xffcf, 0xffcf);
        add(189, "f19", "f19", 0xffd0, 0xffd0);
        add(190, "f20", "f20", 0xffd1, 0xffd1);
        add(191, "f21", "f21", 0xffd2, 0xffd2);
        add(192, "f22", "f22", 0xffd3, 0xffd3);
        add(193, "f23", "f23", 0xffd4, 0xffd4);
        add(194, "f24", "f24", 0xffd5, 0xffd5);
        // Friendlier names for the configuration.
        alias("escape", "esc");
        alias("return", "enter");
        alias("pgup", "pageup");
        alias("pgdn", "pagedown");
        alias("del", "delete");
        alias("ins", "insert");
        alias("print", "sysrq");
    }

    private KeyTable() {
    }

    private static void add(int code, String name, String qcode, int keysym, int shifted) {
        int qnum = code <= 83 || (code >= 86 && code <= 88) ? code : EXTENDED_QNUM.getOrDefault(code, 0);
        Key k = new Key(code, name, qcode, keysym, shifted, qnum);
        BY_CODE[code] = k;
        BY_NAME.put(name, k);
    }

    private static void alias(String alias, String name) {
        BY_NAME.put(alias, BY_NAME.get(name));
    }

    /** The key with this Linux code, or null. */
    public static Key byCode(int code) {
        return code >= 0 && code < BY_CODE.length ? BY_CODE[code] : null;
    }

    /** The key with this name (case-insensitive), or null. */
    public static Key byName(String name) {
        return BY_NAME.get(name.toLowerCase(java.util.Locale.ROOT));
    }
}
