/* pt-diff.c: unified diffs of the small text files the boot configuration
 * backends change, shaped like GNU "diff -u" output so that people and
 * "patch" read them the usual way: the same trimming of the common ends,
 * Myers' middle-snake comparison, discarding of unmatched lines and
 * boundary shifting as diffutils does, 3 lines of context, and
 * "\ No newline at end of file" where a last line has no newline. */
#define G_LOG_DOMAIN "pt-diff"

#include "config.h"

#include <string.h>

#include <glib/gi18n.h>

#include "pt-bootconf.h"

#define CONTEXT 3

/* One side of the comparison: the text with a newline added when it has
 * none (the line table still knows), its line starts, and per line of the
 * compared middle an equivalence class and a "changed" flag. */
typedef struct
{
  const char *data;       /* text, length len */
  gsize       len;
  gboolean    missing_nl; /* the last line has no newline */
  GArray     *starts;     /* gsize: start of each line, plus len (+1 if missing_nl) */
  guint       n_lines;

  guint       prefix_lines;   /* lines before the compared middle */
  guint       middle_lines;   /* lines in the compared middle */
  guint      *equivs;         /* class of each middle line, >= 1 */
  gboolean   *changed_space;  /* middle_lines + 2, with false sentinels */
  gboolean   *changed;        /* changed_space + 1 */
  guint      *undiscarded;    /* classes of the lines the comparison sees */
  guint      *realindexes;    /* their middle line numbers */
  guint       nondiscarded;
} Side;

static void
side_init (Side *s, GBytes *bytes)
{
  gsize i;

  s->data = bytes ? g_bytes_get_data (bytes, &s->len) : NULL;
  if (s->data == NULL)
    {
      s->data = "";
      s->len = 0;
    }
  s->missing_nl = s->len > 0 && s->data[s->len - 1] != '\n';
  s->starts = g_array_new (FALSE, FALSE, sizeof (gsize));
  if (s->len > 0)
    {
      gsize zero = 0;

      g_array_append_val (s->starts, zero);
      for (i = 0; i < s->len; i++)
        if (s->data[i] == '\n' && i + 1 < s->len)
          {
            gsize next = i + 1;

            g_array_append_val (s->starts, next);
          }
    }
  s->n_lines = s->starts->len;
  {
    gsize end = s->len + (s->missing_nl ? 1 : 0);

    g_array_append_val (s->starts, end);
  }
}

static void
side_clear (Side *s)
{
  g_array_unref (s->starts);
  g_free (s->equivs);
  g_free (s->changed_space);
  g_free (s->undiscarded);
  g_free (s->realindexes);
}

/* Byte @i of the text as diff sees it: the missing newline is added. */
static inline char
side_byte (const Side *s, gsize i)
{
  return i < s->len ? s->data[i] : '\n';
}

static inline gsize
side_vlen (const Side *s)
{
  return s->len + (s->missing_nl ? 1 : 0);
}

static inline gsize
line_start (const Side *s, guint line)
{
  return g_array_index (s->starts, gsize, line);
}

/* Length of a line without its newline. */
static inline gsize
line_len (const Side *s, guint line)
{
  return line_start (s, line + 1) - line_start (s, line) - 1;
}

static inline gboolean
line_incomplete (const Side *s, guint line)
{
  return s->missing_nl && line + 1 == s->n_lines;
}

static guint
line_at (const Side *s, gsize offset)
{
  guint lo = 0, hi = s->n_lines;

  /* first line whose start is >= offset */
  while (lo < hi)
    {
      guint mid = (lo + hi) / 2;

      if (line_start (s, mid) < offset)
        lo = mid + 1;
      else
        hi = mid;
    }
  return lo;
}

/* The identical beginnings and ends are left out of the comparison, except
 * CONTEXT lines on each side, as diff does; a missing newline makes the
 * last lines differ. */
static void
find_identical_ends (Side *a, Side *b)
{
  gsize n0 = side_vlen (a), n1 = side_vlen (b);
  gsize p = 0, prefix_end, suffix0, suffix1;
  guint hor = CONTEXT;

  while (p < n0 && p < n1 && side_byte (a, p) == side_byte (b, p))
    p++;
  if ((n0 - a->missing_nl < p) != (n1 - b->missing_nl < p))
    p--;
  while (p != 0 && (side_byte (a, p - 1) != '\n' || hor-- > 0))
    p--;
  prefix_end = p;

  suffix0 = n0;
  suffix1 = n1;
  if (a->missing_nl == b->missing_nl)
    {
      gsize p0 = n0, p1 = n1;
      gsize beg0 = prefix_end + (n0 < n1 ? 0 : n0 - n1);
      gboolean at_line_beginning;
      guint i;

      while (p0 != beg0)
        if (side_byte (a, --p0) != side_byte (b, --p1))
          {
            ++p0;
            ++p1;
            beg0 = p0;
            break;
          }
      at_line_beginning = (p0 == 0 || side_byte (a, p0 - 1) == '\n')
                          && (p1 == 0 || side_byte (b, p1 - 1) == '\n');
      i = CONTEXT + (at_line_beginning ? 0 : 1);
      while (i-- > 0 && p0 != n0)
        while (side_byte (a, p0++) != '\n')
          ;
      p1 += p0 - beg0;
      suffix0 = p0;
      suffix1 = p1;
    }

  a->prefix_lines = b->prefix_lines = line_at (a, prefix_end);
  a->middle_lines = line_at (a, suffix0) - a->prefix_lines;
  b->middle_lines = line_at (b, suffix1) - b->prefix_lines;
}

static gboolean
lines_equal (const Side *a, guint i, const Side *b, guint j)
{
  gsize len = line_len (a, i);

  return len == line_len (b, j)
         && line_incomplete (a, i) == line_incomplete (b, j)
         && memcmp (a->data + line_start (a, i), b->data + line_start (b, j), len) == 0;
}

/* Numbers the distinct lines of the two middles from 1. */
static guint
assign_classes (Side *a, Side *b)
{
  g_autoptr(GPtrArray) reps = g_ptr_array_new ();   /* alternating Side*, line */
  Side *sides[2] = { a, b };
  guint next = 1;

  for (guint f = 0; f < 2; f++)
    {
      Side *s = sides[f];

      s->equivs = g_new0 (guint, s->middle_lines + 1);
      for (guint i = 0; i < s->middle_lines; i++)
        {
          guint line = s->prefix_lines + i;
          guint k;

          for (k = 0; k < reps->len; k += 2)
            if (lines_equal (g_ptr_array_index (reps, k),
                             GPOINTER_TO_UINT (g_ptr_array_index (reps, k + 1)),
                             s, line))
              break;
          if (k < reps->len)
            s->equivs[i] = k / 2 + 1;
          else
            {
              g_ptr_array_add (reps, s);
              g_ptr_array_add (reps, GUINT_TO_POINTER (line));
              s->equivs[i] = next++;
            }
        }
    }
  return next;
}

static guint
floor_log2 (guint n)
{
  guint r = 0;

  while (n >>= 1)
    r++;
  return r;
}

/* Lines that match nothing in the other file are changes for certain and
 * are left out of the comparison; lines that match very many are left out
 * only inside runs of such lines (diffutils' discard_confusing_lines). */
static void
discard_confusing_lines (Side *sides[2], guint n_classes)
{
  g_autofree guint *count0 = g_new0 (guint, n_classes);
  g_autofree guint *count1 = g_new0 (guint, n_classes);
  guint *counts[2] = { count0, count1 };
  g_autofree char *discard0 = NULL;
  g_autofree char *discard1 = NULL;
  char *discarded[2];

  for (guint f = 0; f < 2; f++)
    for (guint i = 0; i < sides[f]->middle_lines; i++)
      counts[f][sides[f]->equivs[i]]++;

  discard0 = g_malloc0 (sides[0]->middle_lines + 1);
  discard1 = g_malloc0 (sides[1]->middle_lines + 1);
  discarded[0] = discard0;
  discarded[1] = discard1;

  for (guint f = 0; f < 2; f++)
    {
      guint end = sides[f]->middle_lines;
      guint many = 5;

      if (end >= 64)
        many <<= (floor_log2 (end) >> 1) - 3;
      for (guint i = 0; i < end; i++)
        {
          guint nmatch = counts[1 - f][sides[f]->equivs[i]];

          if (nmatch == 0)
            discarded[f][i] = 1;
          else if (nmatch > many)
            discarded[f][i] = 2;
        }
    }

  for (guint f = 0; f < 2; f++)
    {
      guint end = sides[f]->middle_lines;
      char *discards = discarded[f];

      for (guint i = 0; i < end; i++)
        {
          if (discards[i] == 2)
            discards[i] = 0;
          else if (discards[i] != 0)
            {
              guint provisional = 0, j, length;

              for (j = i; j < end; j++)
                {
                  if (discards[j] == 0)
                    break;
                  if (discards[j] == 2)
                    ++provisional;
                }
              while (j > i && discards[j - 1] == 2)
                {
                  discards[--j] = 0;
                  --provisional;
                }
              length = j - i;

              if ((length >> 2) < provisional)
                {
                  while (j > i)
                    if (discards[--j] == 2)
                      discards[j] = 0;
                }
              else
                {
                  guint minimum = length < 4 ? 2 : (1u << ((floor_log2 (length) >> 1) - 1)) + 1;
                  guint consec = 0;
                  gint64 jj;

                  for (jj = 0; jj < length; jj++)
                    if (discards[i + jj] != 2)
                      consec = 0;
                    else if (minimum == ++consec)
                      jj -= consec;
                    else if (minimum < consec)
                      discards[i + jj] = 0;

                  for (jj = 0, consec = 0; jj < length; jj++)
                    {
                      if (jj >= 8 && discards[i + jj] == 1)
                        break;
                      if (discards[i + jj] == 2)
                        {
                          consec = 0;
                          discards[i + jj] = 0;
                        }
                      else if (discards[i + jj] == 0)
                        consec = 0;
                      else
                        consec++;
                      if (consec == 3)
                        break;
                    }

                  i += length - 1;

                  for (jj = 0, consec = 0; jj < length; jj++)
                    {
                      if (jj >= 8 && discards[i - jj] == 1)
                        break;
                      if (discards[i - jj] == 2)
                        {
                          consec = 0;
                          discards[i - jj] = 0;
                        }
                      else if (discards[i - jj] == 0)
                        consec = 0;
                      else
                        consec++;
                      if (consec == 3)
                        break;
                    }
                }
            }
        }
    }

  for (guint f = 0; f < 2; f++)
    {
      Side *s = sides[f];
      guint j = 0;

      s->undiscarded = g_new0 (guint, s->middle_lines + 1);
      s->realindexes = g_new0 (guint, s->middle_lines + 1);
      for (guint i = 0; i < s->middle_lines; i++)
        if (discarded[f][i] == 0)
          {
            s->undiscarded[j] = s->equivs[i];
            s->realindexes[j++] = i;
          }
        else
          s->changed[i] = TRUE;
      s->nondiscarded = j;
    }
}

/* ---- Myers' comparison, divide and conquer on the middle snake -------- */

typedef struct
{
  const guint *xv;
  const guint *yv;
  gssize      *fd;   /* indexed by diagonal */
  gssize      *bd;
  Side        *a;
  Side        *b;
} Compare;

static void
diag (Compare *c, gssize xoff, gssize xlim, gssize yoff, gssize ylim,
      gssize *xmid, gssize *ymid)
{
  gssize *fd = c->fd, *bd = c->bd;
  const guint *xv = c->xv, *yv = c->yv;
  gssize dmin = xoff - ylim, dmax = xlim - yoff;
  gssize fmid = xoff - yoff, bmid = xlim - ylim;
  gssize fmin = fmid, fmax = fmid, bmin = bmid, bmax = bmid;
  gboolean odd = (fmid - bmid) & 1;

  fd[fmid] = xoff;
  bd[bmid] = xlim;

  for (;;)
    {
      gssize d;

      if (fmin > dmin)
        fd[--fmin - 1] = -1;
      else
        ++fmin;
      if (fmax < dmax)
        fd[++fmax + 1] = -1;
      else
        --fmax;
      for (d = fmax; d >= fmin; d -= 2)
        {
          gssize tlo = fd[d - 1], thi = fd[d + 1];
          gssize x0 = tlo < thi ? thi : tlo + 1;
          gssize x, y;

          for (x = x0, y = x0 - d; x < xlim && y < ylim && xv[x] == yv[y]; x++, y++)
            ;
          fd[d] = x;
          if (odd && bmin <= d && d <= bmax && bd[d] <= x)
            {
              *xmid = x;
              *ymid = y;
              return;
            }
        }

      if (bmin > dmin)
        bd[--bmin - 1] = G_MAXSSIZE;
      else
        ++bmin;
      if (bmax < dmax)
        bd[++bmax + 1] = G_MAXSSIZE;
      else
        --bmax;
      for (d = bmax; d >= bmin; d -= 2)
        {
          gssize tlo = bd[d - 1], thi = bd[d + 1];
          gssize x0 = tlo < thi ? tlo : thi - 1;
          gssize x, y;

          for (x = x0, y = x0 - d; xoff < x && yoff < y && xv[x - 1] == yv[y - 1]; x--, y--)
            ;
          bd[d] = x;
          if (!odd && fmin <= d && d <= fmax && x <= fd[d])
            {
              *xmid = x;
              *ymid = y;
              return;
            }
        }
    }
}

static void
compareseq (Compare *c, gssize xoff, gssize xlim, gssize yoff, gssize ylim)
{
  while (xoff < xlim && yoff < ylim && c->xv[xoff] == c->yv[yoff])
    {
      xoff++;
      yoff++;
    }
  while (xoff < xlim && yoff < ylim && c->xv[xlim - 1] == c->yv[ylim - 1])
    {
      xlim--;
      ylim--;
    }

  if (xoff == xlim)
    for (; yoff < ylim; yoff++)
      c->b->changed[c->b->realindexes[yoff]] = TRUE;
  else if (yoff == ylim)
    for (; xoff < xlim; xoff++)
      c->a->changed[c->a->realindexes[xoff]] = TRUE;
  else
    {
      gssize xmid, ymid;

      diag (c, xoff, xlim, yoff, ylim, &xmid, &ymid);
      compareseq (c, xoff, xmid, yoff, ymid);
      compareseq (c, xmid, xlim, ymid, ylim);
    }
}

/* Slides runs of changes over identical lines so that they join others or
 * end as late as they can (diffutils' shift_boundaries). */
static void
shift_boundaries (Side *sides[2])
{
  for (guint f = 0; f < 2; f++)
    {
      gboolean *changed = sides[f]->changed;
      gboolean *other_changed = sides[1 - f]->changed;
      const guint *equivs = sides[f]->equivs;
      gssize i = 0, j = 0;
      gssize i_end = sides[f]->middle_lines;

      for (;;)
        {
          gssize start, runlength, corresponding;

          while (i < i_end && !changed[i])
            {
              while (other_changed[j++])
                ;
              i++;
            }
          if (i == i_end)
            break;

          start = i;
          while (changed[++i])
            ;
          while (other_changed[j])
            j++;

          do
            {
              runlength = i - start;

              while (start > 0 && equivs[start - 1] == equivs[i - 1])
                {
                  changed[--start] = TRUE;
                  changed[--i] = FALSE;
                  while (changed[start - 1])
                    start--;
                  while (other_changed[--j])
                    ;
                }

              corresponding = other_changed[j - 1] ? i : i_end;

              while (i != i_end && equivs[start] == equivs[i])
                {
                  changed[start++] = FALSE;
                  changed[i++] = TRUE;
                  while (changed[i])
                    i++;
                  while (other_changed[++j])
                    corresponding = i;
                }
            }
          while (runlength != i - start);

          while (corresponding < i)
            {
              changed[--start] = TRUE;
              changed[--i] = FALSE;
              while (other_changed[--j])
                ;
            }
        }
    }
}

/* ---- output ----------------------------------------------------------- */

typedef struct
{
  guint line0, line1;       /* first line of the change in each file (whole-file numbers) */
  guint deleted, inserted;
} Change;

static void
append_line (GString *out, char prefix, const Side *s, guint line)
{
  g_string_append_c (out, prefix);
  g_string_append_len (out, s->data + line_start (s, line), line_len (s, line));
  g_string_append_c (out, '\n');
  if (line_incomplete (s, line))
    g_string_append (out, "\\ No newline at end of file\n");
}

static void
append_range (GString *out, guint first, gint64 last)
{
  /* 1-based; an empty range names the line before it, as "patch" expects */
  gint64 a = (gint64) first + 1, b = last + 1;

  if (b <= a)
    g_string_append_printf (out, b < a ? "%" G_GINT64_FORMAT ",0" : "%" G_GINT64_FORMAT, b);
  else
    g_string_append_printf (out, "%" G_GINT64_FORMAT ",%" G_GINT64_FORMAT, a, b - a + 1);
}

static void
print_hunk (GString *out, const Side *a, const Side *b, const Change *changes, guint n)
{
  gint64 first0 = changes[0].line0, first1 = changes[0].line1;
  gint64 last0 = (gint64) changes[n - 1].line0 + changes[n - 1].deleted - 1;
  gint64 last1 = (gint64) changes[n - 1].line1 + changes[n - 1].inserted - 1;
  gint64 i, j;
  guint next = 0;

  first0 = MAX (first0 - CONTEXT, 0);
  first1 = MAX (first1 - CONTEXT, 0);
  last0 = MIN (last0 + CONTEXT, (gint64) a->n_lines - 1);
  last1 = MIN (last1 + CONTEXT, (gint64) b->n_lines - 1);

  g_string_append (out, "@@ -");
  append_range (out, first0, last0);
  g_string_append (out, " +");
  append_range (out, first1, last1);
  g_string_append (out, " @@\n");

  i = first0;
  j = first1;
  while (i <= last0 || j <= last1)
    {
      if (next >= n || i < changes[next].line0)
        {
          append_line (out, ' ', a, i++);
          j++;
        }
      else
        {
          for (guint k = 0; k < changes[next].deleted; k++)
            append_line (out, '-', a, i++);
          for (guint k = 0; k < changes[next].inserted; k++)
            append_line (out, '+', b, j++);
          next++;
        }
    }
}

char *
pt_diff_unified (const char *path,
                 GBytes     *old_contents,
                 GBytes     *new_contents)
{
  Side a = { 0 }, b = { 0 };
  Side *sides[2] = { &a, &b };
  g_autoptr(GArray) script = g_array_new (FALSE, FALSE, sizeof (Change));
  GString *out;
  guint n_classes;

  g_return_val_if_fail (path != NULL, NULL);

  if (old_contents != NULL && new_contents != NULL && g_bytes_equal (old_contents, new_contents))
    return g_strdup ("");
  if (old_contents == NULL && new_contents == NULL)
    return g_strdup ("");

  side_init (&a, old_contents);
  side_init (&b, new_contents);
  find_identical_ends (&a, &b);
  n_classes = assign_classes (&a, &b);

  for (guint f = 0; f < 2; f++)
    {
      sides[f]->changed_space = g_new0 (gboolean, sides[f]->middle_lines + 2);
      sides[f]->changed = sides[f]->changed_space + 1;
    }
  discard_confusing_lines (sides, n_classes);

  {
    gsize diags = a.nondiscarded + b.nondiscarded + 3;
    g_autofree gssize *space = g_new0 (gssize, 2 * diags);
    Compare c = {
      .xv = a.undiscarded,
      .yv = b.undiscarded,
      .fd = space + b.nondiscarded + 1,
      .bd = space + diags + b.nondiscarded + 1,
      .a = &a,
      .b = &b,
    };

    compareseq (&c, 0, a.nondiscarded, 0, b.nondiscarded);
  }
  shift_boundaries (sides);

  /* the edit script, in whole-file line numbers */
  {
    guint i0 = 0, i1 = 0;

    while (i0 < a.middle_lines || i1 < b.middle_lines)
      {
        if (a.changed[i0] || b.changed[i1])
          {
            Change ch = { a.prefix_lines + i0, b.prefix_lines + i1, 0, 0 };

            while (a.changed[i0])
              i0++, ch.deleted++;
            while (b.changed[i1])
              i1++, ch.inserted++;
            g_array_append_val (script, ch);
          }
        i0++;
        i1++;
      }
  }

  out = g_string_new (NULL);
  if (script->len > 0)
    {
      guint start = 0;

      if (old_contents == NULL)
        g_string_append (out, "--- /dev/null\n");
      else
        g_string_append_printf (out, "--- a/%s\n", path);
      if (new_contents == NULL)
        g_string_append (out, "+++ /dev/null\n");
      else
        g_string_append_printf (out, "+++ b/%s\n", path);

      /* Changes closer than 2 * CONTEXT + 1 unchanged lines share a hunk. */
      while (start < script->len)
        {
          guint end = start + 1;

          while (end < script->len)
            {
              const Change *prev = &g_array_index (script, Change, end - 1);
              const Change *cur = &g_array_index (script, Change, end);

              if (cur->line0 - (prev->line0 + prev->deleted) >= 2 * CONTEXT + 1)
                break;
              end++;
            }
          print_hunk (out, &a, &b, &g_array_index (script, Change, start), end - start);
          start = end;
        }
    }

  side_clear (&a);
  side_clear (&b);
  return g_string_free (out, FALSE);
}
