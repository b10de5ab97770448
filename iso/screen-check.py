#!/usr/bin/python3
"""Checks a QEMU screendump (binary PPM) of a Polydesk machine: does the screen show the display
server's output with the control UI in focus, rather than the text console or the "display not
available" screen?  Standard library only (the boot test runs on a bare build machine).

    screen-check.py SCREEN.ppm [--indicator RRGGBB] [--border PX]
    screen-check.py SCREEN.ppm --text-console-red

The second form asks the opposite: is the screen dom0's text console (the console chord's), no
longer the display server's, after a command there painted it red (setterm --background red
--clear all)? Its lines:
  - no-frame: the edges are not the trusted frame (the display server is not drawing);
  - console-red: at least 60 % of the screen is the console's red.

What it asserts, each a line of the output; exit 0 when all hold:
  - indicator: every edge of the screen is the trusted frame in the control UI's colour
    (display.conf's border, drawn by the display server, never by the UI);
  - ui-light: the UI's light surfaces (table, page) fill a large part of the inside; a text
    console is mostly black, the "not available" screen dark;
  - ui-sidebar: the left strip is the UI's navigation bar: one dark colour that is not black,
    nor the colour of the rest of the screen.
"""
import sys


def read_ppm(path):
    with open(path, 'rb') as f:
        data = f.read()
    fields, pos = [], 0
    while len(fields) < 4:
        while data[pos:pos + 1].isspace():
            pos += 1
        if data[pos:pos + 1] == b'#':
            pos = data.index(b'\n', pos) + 1
            continue
        end = pos
        while not data[end:end + 1].isspace():
            end += 1
        fields.append(data[pos:end])
        pos = end
    if fields[0] != b'P6' or int(fields[3]) != 255:
        raise ValueError(f'{path}: not a binary 8-bit PPM (P6) screendump')
    width, height = int(fields[1]), int(fields[2])
    pixels = data[pos + 1:]
    if len(pixels) < width * height * 3:
        raise ValueError(f'{path}: {len(pixels)} bytes of pixels, {width}x{height} needs {width * height * 3}')
    return width, height, pixels


def main(argv):
    args = argv[1:]
    indicator, border = 0x4A6FA5, 4
    path = None
    text_console = False
    while args:
        a = args.pop(0)
        if a == '--text-console-red':
            text_console = True
        elif a == '--indicator':
            indicator = int(args.pop(0).lstrip('#'), 16)
        elif a == '--border':
            border = int(args.pop(0))
        else:
            path = a
    if path is None:
        print(__doc__, file=sys.stderr)
        return 2
    width, height, px = read_ppm(path)

    def rgb(x, y):
        i = (y * width + x) * 3
        return px[i], px[i + 1], px[i + 2]

    want = ((indicator >> 16) & 255, (indicator >> 8) & 255, indicator & 255)
    results = []

    # The frame: the outer `border` pixels of each edge, sampled along the whole edge.
    edges = {
        'top': [(x, y) for x in range(0, width, 4) for y in range(border)],
        'bottom': [(x, height - 1 - y) for x in range(0, width, 4) for y in range(border)],
        'left': [(x, y) for y in range(0, height, 4) for x in range(border)],
        'right': [(width - 1 - x, y) for y in range(0, height, 4) for x in range(border)],
    }
    shares = {name: sum(rgb(x, y) == want for x, y in pts) / len(pts) for name, pts in edges.items()}
    if text_console:
        return console_verdict(width, height, rgb, shares, indicator)
    ok = all(s >= 0.95 for s in shares.values())
    results.append((ok, 'indicator', '#%06X frame of %d px: ' % (indicator, border)
                    + ', '.join(f'{k} {v:.0%}' for k, v in shares.items())))

    # Inside the frame, every 3rd pixel of every 3rd line.
    inside = [rgb(x, y) for y in range(border, height - border, 3) for x in range(border, width - border, 3)]
    inside_counts = {}
    for p in inside:
        inside_counts[p] = inside_counts.get(p, 0) + 1
    background = max(inside_counts.items(), key=lambda kv: kv[1])[0]
    light = sum(min(p) >= 0xE0 for p in inside) / len(inside)
    black = sum(max(p) <= 0x10 for p in inside) / len(inside)
    results.append((light >= 0.25 and black <= 0.25, 'ui-light',
                    f'{light:.0%} of the inside light (UI surfaces; want >= 25%), {black:.0%} black (want <= 25%)'))

    # The navigation bar: the strip from 1% to 8% of the width, below the title.
    strip = [rgb(x, y) for y in range(height // 5, height - border, 3)
             for x in range(border + width // 100, border + width * 8 // 100, 2)]
    counts = {}
    for p in strip:
        counts[p] = counts.get(p, 0) + 1
    colour, n = max(counts.items(), key=lambda kv: kv[1])
    share = n / len(strip)
    dark = 40 <= sum(colour) <= 330
    results.append((dark and share >= 0.6 and colour != background, 'ui-sidebar',
                    'left strip %.0f%% #%02X%02X%02X (want one dark colour, not black, >= 60%%, not the whole'
                    ' screen\'s #%02X%02X%02X)' % (share * 100, *colour, *background)))

    for ok, name, detail in results:
        print(f'{"ok" if ok else "fail"} {name} {width}x{height}: {detail}')
    return 0 if all(ok for ok, _, _ in results) else 1


def console_verdict(width, height, rgb, frame_shares, indicator):
    """The text console painted red: no trusted frame on the edges, most of the screen red."""
    results = []
    framed = max(frame_shares.values())
    results.append((framed < 0.5, 'no-frame', 'the #%06X frame on at most %.0f%% of an edge (want < 50%%: the'
                    ' display server is not drawing)' % (indicator, framed * 100)))
    every = [rgb(x, y) for y in range(0, height, 3) for x in range(0, width, 3)]
    red = sum(r >= 0x80 and g <= 0x40 and b <= 0x40 for r, g, b in every) / len(every)
    results.append((red >= 0.6, 'console-red', f'{red:.0%} of the screen red (want >= 60%)'))
    for ok, name, detail in results:
        print(f'{"ok" if ok else "fail"} {name} {width}x{height}: {detail}')
    return 0 if all(ok for ok, _, _ in results) else 1


if __name__ == '__main__':
    sys.exit(main(sys.argv))
