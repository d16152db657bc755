#!/usr/bin/env python3
"""Markdown to man(7), for the subset docs/configuration.md is written in,
so that twinpath.conf(5) and the Markdown page have one source.

usage: md2man.py HEAD.roff DOC.md TAIL.roff > PAGE

The page is HEAD, then DOC from its first "## " heading on (that heading
dropped: HEAD ends in the section it belongs to), then TAIL. In DOC: "## "
and "### " headings become .SH and .SS, paragraphs .PP, "- " items .IP,
fenced code .nf/.fi, and a pipe table one .TP per row: the first cell is
the tag, the middle cells "header: cell", the last cell the text (a
four-column table does not fit 80 columns). Inline `code` and **bold** are
bold, *emphasis* italic, [text](target) its text. Characters outside ASCII
become \\[uXXXX], which groff and mandoc both render, so the page needs no
preconv. Anything else is an error, so a new construct in DOC fails the
build instead of rendering wrong.
"""
import re
import sys

SENTENCE_END = re.compile(r'(?<=[a-z0-9)\]])\. (?=[A-Z])')


def escape(text, code=False):
    out = []
    for ch in text:
        if ch == '\\':
            out.append('\\e')
        elif ch == '-' and code:
            out.append('\\-')
        elif ord(ch) > 127:
            out.append('\\[u%04X]' % ord(ch))
        else:
            out.append(ch)
    return ''.join(out)


def inline(text):
    """Inline markup to roff; fonts close with \\fP (the previous font),
    so `code` inside **bold** comes back to bold."""
    out = []
    i = 0
    stack = []
    while i < len(text):
        c = text[i]
        if c == '`':
            j = text.index('`', i + 1)
            # \% before each word: a literal is never hyphenated
            words = text[i + 1:j].split(' ')
            out.append('\\fB' + ' '.join('\\%' + escape(w, code=True)
                                          for w in words) + '\\fP')
            i = j + 1
        elif text.startswith('**', i):
            if stack and stack[-1] == '**':
                stack.pop()
                out.append('\\fP')
            else:
                stack.append('**')
                out.append('\\fB')
            i += 2
        elif c == '*' and (stack and stack[-1] == '*' or
                           text.find('*', i + 1) > i + 1):
            if stack and stack[-1] == '*':
                stack.pop()
                out.append('\\fP')
            else:
                stack.append('*')
                out.append('\\fI')
            i += 1
        elif c == '[' and re.match(r'\[[^\]]+\]\([^)]+\)', text[i:]):
            m = re.match(r'\[([^\]]+)\]\([^)]+\)', text[i:])
            out.append(inline(m.group(1)))
            i += m.end()
        else:
            out.append(escape(c))
            i += 1
    if stack:
        raise ValueError('unclosed %s in: %s' % (stack[-1], text))
    return ''.join(out)


def lines_of(text):
    """Roff source lines of one filled text: a new sentence starts a new
    line (man(7)), and no line starts with a control character."""
    out = [part.strip() for part in SENTENCE_END.split(text)]
    # the split took each period with its space: back on all but the last
    out = [l + '.' for l in out[:-1]] + out[-1:]
    return ['\\&' + l if l[:1] in ('.', "'") else l for l in out if l]


def cells(row):
    row = row.strip()
    if not (row.startswith('|') and row.endswith('|')):
        raise ValueError('not a table row: ' + row)
    parts = re.split(r'(?<!\\)\|', row[1:-1])
    return [p.strip().replace('\\|', '|') for p in parts]


def table(rows, out):
    head = cells(rows[0])
    if not re.fullmatch(r'\|(\s*:?-+:?\s*\|)+', rows[1].strip()):
        raise ValueError('no separator row under: ' + rows[0])
    for row in rows[2:]:
        c = cells(row)
        if len(c) != len(head):
            raise ValueError('%d cells, want %d: %s' % (len(c), len(head),
                                                          row))
        out.append('.TP')
        out += lines_of(inline(c[0]))
        if len(c) > 2:
            out += lines_of('; '.join('%s: %s' % (escape(h), inline(v))
                                      for h, v in zip(head[1:-1],
                                                      c[1:-1])))
            out.append('.br')
        out += lines_of(inline(c[-1]))


def convert(md):
    lines = md.split('\n')
    start = next(i for i, l in enumerate(lines) if l.startswith('## '))
    lines = lines[start + 1:]
    out = []
    i = 0
    while i < len(lines):
        line = lines[i]
        if not line.strip():
            i += 1
        elif line.startswith('### '):
            out += ['.SS ' + escape(line[4:].strip())]
            i += 1
        elif line.startswith('## '):
            out += ['.SH ' + escape(line[3:].strip().upper())]
            i += 1
        elif line.startswith('#'):
            raise ValueError('heading level not mapped: ' + line)
        elif line.startswith('```'):
            j = lines.index('```', i + 1)
            out += ['.PP', '.RS 4', '.nf']
            out += ['\\&' + escape(l, code=True) for l in lines[i + 1:j]]
            out += ['.fi', '.RE']
            i = j + 1
        elif line.startswith('|'):
            j = i
            while j < len(lines) and lines[j].startswith('|'):
                j += 1
            table(lines[i:j], out)
            i = j
        elif line.startswith('- '):
            j = i + 1
            while j < len(lines) and lines[j].startswith('  '):
                j += 1
            out += ['.IP \\(bu 2']
            out += lines_of(inline(' '.join(l.strip()
                                            for l in lines[i:j])[2:]))
            i = j
        else:
            j = i
            while j < len(lines) and lines[j].strip() and \
                    not lines[j].startswith(('|', '#', '```', '- ')):
                j += 1
            # a paragraph right under a heading needs no .PP (man(7))
            if out and not out[-1].startswith(('.SH', '.SS')):
                out += ['.PP']
            out += lines_of(inline(' '.join(l.strip() for l in lines[i:j])))
            i = j
    return out


def main():
    if len(sys.argv) != 4:
        sys.exit(__doc__.split('\n\n')[1])
    with open(sys.argv[1], encoding='utf-8') as f:
        head = f.read()
    with open(sys.argv[2], encoding='utf-8') as f:
        body = convert(f.read())
    with open(sys.argv[3], encoding='utf-8') as f:
        tail = f.read()
    sys.stdout.write(head + '\n'.join(body) + '\n' + tail)


if __name__ == '__main__':
    try:
        main()
    except (ValueError, StopIteration) as e:
        sys.exit('md2man: %s: %s' % (sys.argv[2], e or 'no "## " heading'))
