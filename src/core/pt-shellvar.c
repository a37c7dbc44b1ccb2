/* pt-shellvar.c: a shell lexer for configuration files that are sourced
 * by sh (etc/default/grub) or bash (etc/mkinitcpio.conf). It follows
 * quotes, command and parameter substitutions, comments and line
 * continuations to tell assignments from everything else, so that a line
 * inside another variable's multi-line string or a commented-out line is
 * never taken for the assignment; it never evaluates anything. */
#define G_LOG_DOMAIN "pt-shellvar"

#include "config.h"

#include <string.h>

#include <glib/gi18n.h>

#include "pt-shellvar.h"

typedef struct
{
  const char *t;
  gsize       len;
  gsize       pos;
  gsize       err_pos;
  char       *reason;
  gboolean    unterminated;    /* the error is a quote that does not close */
  gsize       multi_open;      /* last quoted string over several lines, or G_MAXSIZE */
  gsize       multi_close;
} Lex;

/* Remembers a quoted string that runs over lines: when a later quote does
 * not close, the missing quote is most likely here. */
static void
note_span (Lex *l, gsize open, gsize close)
{
  if (memchr (l->t + open, '\n', close - open) != NULL)
    {
      l->multi_open = open;
      l->multi_close = close;
    }
}

static gboolean
fail (Lex *l, gsize at, char *reason)
{
  if (l->reason == NULL)
    {
      l->err_pos = at;
      l->reason = reason;
    }
  else
    g_free (reason);
  return FALSE;
}

static gboolean skip_double (Lex *l);
static gboolean skip_backtick (Lex *l);
static gboolean skip_dollar_paren (Lex *l);
static gboolean skip_brace (Lex *l);

static gboolean
skip_single (Lex *l)
{
  gsize open = l->pos;
  const char *close = memchr (l->t + open + 1, '\'', l->len - open - 1);

  if (close == NULL)
    {
      l->unterminated = TRUE;
      return fail (l, open, g_strdup (_("a single quote is not closed")));
    }
  l->pos = close - l->t + 1;
  note_span (l, open, l->pos);
  return TRUE;
}

static gboolean
skip_double (Lex *l)
{
  gsize open = l->pos;

  l->pos++;
  while (l->pos < l->len)
    {
      char c = l->t[l->pos];

      if (c == '"')
        {
          l->pos++;
          note_span (l, open, l->pos);
          return TRUE;
        }
      if (c == '\\')
        l->pos += 2;
      else if (c == '`')
        {
          if (!skip_backtick (l))
            return FALSE;
        }
      else if (c == '$' && l->pos + 1 < l->len && l->t[l->pos + 1] == '(')
        {
          if (!skip_dollar_paren (l))
            return FALSE;
        }
      else if (c == '$' && l->pos + 1 < l->len && l->t[l->pos + 1] == '{')
        {
          if (!skip_brace (l))
            return FALSE;
        }
      else
        l->pos++;
    }
  l->unterminated = TRUE;
  return fail (l, open, g_strdup (_("a double quote is not closed")));
}

static gboolean
skip_backtick (Lex *l)
{
  gsize open = l->pos;

  l->pos++;
  while (l->pos < l->len)
    {
      char c = l->t[l->pos];

      if (c == '`')
        {
          l->pos++;
          return TRUE;
        }
      l->pos += c == '\\' ? 2 : 1;
    }
  return fail (l, open, g_strdup (_("a command substitution (`…`) is not closed")));
}

/* Inside $( … ) and ${ … }: quotes nest, brackets count. */
static gboolean
skip_nested (Lex *l, char opening, char closing, const char *what)
{
  gsize open = l->pos;
  guint depth = 1;

  l->pos += 2;
  while (l->pos < l->len)
    {
      char c = l->t[l->pos];
      gboolean ok = TRUE;

      if (c == '\'')
        ok = skip_single (l);
      else if (c == '"')
        ok = skip_double (l);
      else if (c == '`')
        ok = skip_backtick (l);
      else if (c == '\\')
        l->pos += 2;
      else if (c == opening)
        {
          depth++;
          l->pos++;
        }
      else if (c == closing)
        {
          l->pos++;
          if (--depth == 0)
            return TRUE;
        }
      else
        l->pos++;
      if (!ok)
        return FALSE;
    }
  return fail (l, open, g_strdup_printf (_("a %s is not closed"), what));
}

static gboolean
skip_dollar_paren (Lex *l)
{
  return skip_nested (l, '(', ')', _("command substitution $(…)"));
}

static gboolean
skip_brace (Lex *l)
{
  return skip_nested (l, '{', '}', _("parameter expansion ${…}"));
}

static gboolean
is_word_end (char c)
{
  return c == ' ' || c == '\t' || c == '\n' || c == ';' || c == '&' || c == '|'
         || c == '<' || c == '>' || c == '(' || c == ')';
}

/* Moves past one word; FALSE on an unterminated quote or substitution. */
static gboolean
skip_word (Lex *l)
{
  while (l->pos < l->len)
    {
      char c = l->t[l->pos];
      gboolean ok = TRUE;

      if (is_word_end (c))
        break;
      if (c == '\\')
        l->pos = MIN (l->pos + 2, l->len);
      else if (c == '\'')
        ok = skip_single (l);
      else if (c == '"')
        ok = skip_double (l);
      else if (c == '`')
        ok = skip_backtick (l);
      else if (c == '$' && l->pos + 1 < l->len && l->t[l->pos + 1] == '(')
        ok = skip_dollar_paren (l);
      else if (c == '$' && l->pos + 1 < l->len && l->t[l->pos + 1] == '{')
        ok = skip_brace (l);
      else
        l->pos++;
      if (!ok)
        return FALSE;
    }
  if (l->pos > l->len)
    l->pos = l->len;
  return TRUE;
}

static gboolean
is_name_start (char c)
{
  return g_ascii_isalpha (c) || c == '_';
}

static gboolean
is_name_char (char c)
{
  return g_ascii_isalnum (c) || c == '_';
}

static void
skip_comment (Lex *l)
{
  while (l->pos < l->len && l->t[l->pos] != '\n')
    l->pos++;
}

/* ( … ): words, blanks, newlines and comments up to the closing ')'. */
static gboolean
skip_array (Lex *l)
{
  gsize open = l->pos;

  l->pos++;
  while (l->pos < l->len)
    {
      char c = l->t[l->pos];

      if (c == ' ' || c == '\t' || c == '\n')
        l->pos++;
      else if (c == '\\' && l->pos + 1 < l->len && l->t[l->pos + 1] == '\n')
        l->pos += 2;
      else if (c == '#')
        skip_comment (l);
      else if (c == ')')
        {
          l->pos++;
          return TRUE;
        }
      else
        {
          gsize before = l->pos;

          if (!skip_word (l))
            return FALSE;
          if (l->pos == before)
            return fail (l, before, g_strdup_printf (_("“%c” cannot stand in an array"), c));
        }
    }
  return fail (l, open, g_strdup (_("an array ( … ) is not closed")));
}

void
pt_shell_assign_free (PtShellAssign *a)
{
  g_free (a->name);
  g_free (a);
}

static gboolean
word_is (Lex *l, gsize start, gsize end, const char *const *words)
{
  for (guint i = 0; words[i] != NULL; i++)
    if (end - start == strlen (words[i]) && memcmp (l->t + start, words[i], end - start) == 0)
      return TRUE;
  return FALSE;
}

static guint
line_of (const char *text, gsize offset)
{
  guint line = 1;

  for (gsize i = 0; i < offset; i++)
    if (text[i] == '\n')
      line++;
  return line;
}

GPtrArray *
pt_shell_scan (const char *text, gsize len, guint *error_line, char **error_reason)
{
  static const char *const declarers[] = { "export", "readonly", "local", "declare", "typeset", NULL };
  /* after these a new command starts */
  static const char *const keywords[] = {
    "then", "do", "else", "elif", "if", "while", "until", "!", "{", "}", "fi", "done", "esac",
    "time", NULL,
  };
  g_autoptr(GPtrArray) assigns = g_ptr_array_new_with_free_func ((GDestroyNotify) pt_shell_assign_free);
  Lex l = { text, len, 0, 0, NULL, FALSE, G_MAXSIZE, 0 };
  gboolean at_command = TRUE;
  gsize exported_at = G_MAXSIZE;

  while (l.pos < l.len)
    {
      char c = l.t[l.pos];
      gsize start;

      if (c == ' ' || c == '\t' || c == '\r')
        {
          l.pos++;
          continue;
        }
      if (c == '\\' && l.pos + 1 < l.len && l.t[l.pos + 1] == '\n')
        {
          l.pos += 2;
          continue;
        }
      if (c == '\n' || c == ';' || c == '&' || c == '|' || c == '(' || c == ')')
        {
          l.pos++;
          at_command = TRUE;
          exported_at = G_MAXSIZE;
          continue;
        }
      if (c == '<' || c == '>')
        {
          if (c == '<' && l.pos + 1 < l.len && l.t[l.pos + 1] == '<')
            {
              fail (&l, l.pos, g_strdup (_("a here-document (<<) cannot be followed")));
              break;
            }
          l.pos++;
          continue;
        }
      if (c == '#')
        {
          skip_comment (&l);
          continue;
        }

      start = l.pos;
      if (at_command && is_name_start (c))
        {
          gsize p = l.pos;
          gboolean append = FALSE;

          while (p < l.len && is_name_char (l.t[p]))
            p++;
          if (p + 1 < l.len && l.t[p] == '+' && l.t[p + 1] == '=')
            append = TRUE;
          if (append || (p < l.len && l.t[p] == '='))
            {
              PtShellAssign *a = g_new0 (PtShellAssign, 1);

              a->name = g_strndup (l.t + start, p - start);
              a->line = line_of (l.t, start);
              a->start = exported_at != G_MAXSIZE ? exported_at : start;
              a->exported = exported_at != G_MAXSIZE;
              a->append = append;
              a->value_start = p + (append ? 2 : 1);
              l.pos = a->value_start;
              g_ptr_array_add (assigns, a);
              if (l.pos < l.len && l.t[l.pos] == '(')
                {
                  a->array = TRUE;
                  if (!skip_array (&l))
                    break;
                }
              else if (!skip_word (&l))
                break;
              /* NAME=value( is not shell: the shell refuses the file. */
              if (!a->array && l.pos < l.len && l.t[l.pos] == '(')
                {
                  fail (&l, l.pos, g_strdup (_("a “(” right after a value is a shell syntax "
                                               "error")));
                  break;
                }
              a->value_end = l.pos;
              continue;
            }
        }

      if (!skip_word (&l))
        break;
      if (l.pos == start)
        {
          l.pos++;
          continue;
        }
      if (at_command && word_is (&l, start, l.pos, declarers))
        exported_at = start;
      else if (!(at_command && word_is (&l, start, l.pos, keywords)))
        at_command = FALSE;
    }

  if (l.reason != NULL && l.unterminated && l.multi_open != G_MAXSIZE && l.multi_open < l.err_pos)
    {
      g_free (l.reason);
      l.reason = g_strdup_printf (_("the quotes do not pair up: the string that starts here "
                                    "runs on to line %u"),
                                  line_of (text, l.multi_close - 1));
      l.err_pos = l.multi_open;
    }
  if (l.reason != NULL)
    {
      if (error_line != NULL)
        *error_line = line_of (text, l.err_pos);
      if (error_reason != NULL)
        *error_reason = l.reason;
      else
        g_free (l.reason);
      return NULL;
    }
  return g_steal_pointer (&assigns);
}

PtShellAssign *
pt_shell_find_last (GPtrArray *assigns, const char *name)
{
  for (guint i = assigns->len; i > 0; i--)
    {
      PtShellAssign *a = g_ptr_array_index (assigns, i - 1);

      if (g_str_equal (a->name, name))
        return a;
    }
  return NULL;
}

/* ---- values ----------------------------------------------------------- */

void
pt_shell_word_clear (PtShellWord *word)
{
  g_clear_pointer (&word->value, g_free);
  g_clear_pointer (&word->raw_start, g_free);
  g_clear_pointer (&word->raw_end, g_free);
}

static char *
expansion_reason (const char *t, gsize i, gsize end)
{
  if (t[i] == '`')
    return g_strdup (_("the value runs a command (`…`)"));
  if (i + 1 < end && t[i + 1] == '(')
    return g_strdup (_("the value runs a command ($(…))"));
  if (i + 1 < end && t[i + 1] == '{')
    return g_strdup (_("the value expands a variable (${…})"));
  return g_strdup (_("the value expands a variable ($…)"));
}

gboolean
pt_shell_word_decode (const char   *text,
                      gsize         start,
                      gsize         end,
                      PtShellWord  *word,
                      char        **reason)
{
  g_autoptr(GString) value = g_string_new (NULL);
  g_autoptr(GArray) rs = g_array_new (FALSE, FALSE, sizeof (gsize));
  g_autoptr(GArray) re = g_array_new (FALSE, FALSE, sizeof (gsize));
  gsize i;

#define PUSH(ch, a, b) G_STMT_START {                   \
    gsize _a = (a), _b = (b);                           \
    g_string_append_c (value, (ch));                    \
    g_array_append_val (rs, _a);                        \
    g_array_append_val (re, _b);                        \
  } G_STMT_END

  memset (word, 0, sizeof *word);

  if (start < end && text[start] == '\'')
    {
      if (end - start < 2 || text[end - 1] != '\''
          || memchr (text + start + 1, '\'', end - start - 2) != NULL)
        {
          *reason = g_strdup (_("the value mixes quoting styles"));
          return FALSE;
        }
      word->quote = PT_SHELL_QUOTE_SINGLE;
      word->inner_start = start + 1;
      word->inner_end = end - 1;
      for (i = start + 1; i < end - 1; i++)
        {
          if (text[i] == '\n')
            {
              *reason = g_strdup (_("the value spans several lines"));
              return FALSE;
            }
          PUSH (text[i], i, i + 1);
        }
    }
  else if (start < end && text[start] == '"')
    {
      word->quote = PT_SHELL_QUOTE_DOUBLE;
      word->inner_start = start + 1;
      for (i = start + 1; i < end; i++)
        {
          char c = text[i];

          if (c == '"')
            break;
          if (c == '\\' && i + 1 < end)
            {
              char n = text[i + 1];

              if (n == '\n')
                {
                  i++;
                  continue;
                }
              if (n == '$' || n == '`' || n == '"' || n == '\\')
                {
                  PUSH (n, i, i + 2);
                  i++;
                  continue;
                }
              PUSH ('\\', i, i + 1);
              continue;
            }
          if (c == '$' || c == '`')
            {
              *reason = expansion_reason (text, i, end);
              return FALSE;
            }
          if (c == '\n')
            {
              *reason = g_strdup (_("the value spans several lines"));
              return FALSE;
            }
          PUSH (c, i, i + 1);
        }
      if (i != end - 1)
        {
          *reason = g_strdup (_("the value mixes quoting styles"));
          return FALSE;
        }
      word->inner_end = end - 1;
    }
  else
    {
      word->quote = PT_SHELL_QUOTE_NONE;
      word->inner_start = start;
      word->inner_end = end;
      for (i = start; i < end; i++)
        {
          char c = text[i];

          if (c == '\\' && i + 1 < end)
            {
              if (text[i + 1] != '\n')
                PUSH (text[i + 1], i, i + 2);
              i++;
              continue;
            }
          if (c == '"' || c == '\'')
            {
              *reason = g_strdup (_("the value mixes quoting styles"));
              return FALSE;
            }
          if (c == '$' || c == '`')
            {
              *reason = expansion_reason (text, i, end);
              return FALSE;
            }
          PUSH (c, i, i + 1);
        }
    }
#undef PUSH

  word->len = value->len;
  word->value = g_string_free (g_steal_pointer (&value), FALSE);
  word->raw_start = (gsize *) g_array_free (g_steal_pointer (&rs), FALSE);
  word->raw_end = (gsize *) g_array_free (g_steal_pointer (&re), FALSE);
  return TRUE;
}

char *
pt_shell_encode (PtShellQuote quote, const char *plain)
{
  GString *s = g_string_new (NULL);

  for (const char *p = plain; *p != '\0'; p++)
    switch (quote)
      {
      case PT_SHELL_QUOTE_SINGLE:
        if (*p == '\'' || *p == '\n')
          {
            g_string_free (s, TRUE);
            return NULL;
          }
        g_string_append_c (s, *p);
        break;
      case PT_SHELL_QUOTE_DOUBLE:
        if (strchr ("$`\"\\", *p) != NULL)
          g_string_append_c (s, '\\');
        g_string_append_c (s, *p);
        break;
      case PT_SHELL_QUOTE_NONE:
      default:
        if (!g_ascii_isalnum (*p) && strchr ("._,:=/+@%^-", *p) == NULL)
          g_string_append_c (s, '\\');
        g_string_append_c (s, *p);
        break;
      }
  return g_string_free (s, FALSE);
}

void
pt_shell_element_free (PtShellElement *e)
{
  g_free (e->value);
  g_free (e);
}

GPtrArray *
pt_shell_array_elements (const char  *text,
                         gsize        open,
                         gsize        close,
                         gsize       *error_offset,
                         char       **reason)
{
  g_autoptr(GPtrArray) elems = g_ptr_array_new_with_free_func ((GDestroyNotify) pt_shell_element_free);
  Lex l = { text, close, open + 1, 0, NULL, FALSE, G_MAXSIZE, 0 };

  while (l.pos < close)
    {
      char c = text[l.pos];
      gsize start = l.pos;
      PtShellWord word;
      PtShellElement *e;

      if (c == ' ' || c == '\t' || c == '\n' || c == '\r')
        {
          l.pos++;
          continue;
        }
      if (c == '\\' && l.pos + 1 < close && text[l.pos + 1] == '\n')
        {
          l.pos += 2;
          continue;
        }
      if (c == '#')
        {
          skip_comment (&l);
          continue;
        }
      if (!skip_word (&l) || l.pos == start)
        {
          *error_offset = start;
          *reason = l.reason ? l.reason : g_strdup_printf (_("“%c” cannot stand in an array"), c);
          return NULL;
        }
      if (!pt_shell_word_decode (text, start, l.pos, &word, reason))
        {
          g_free (l.reason);
          *error_offset = start;
          return NULL;
        }
      e = g_new0 (PtShellElement, 1);
      e->value = g_steal_pointer (&word.value);
      e->start = start;
      e->end = l.pos;
      pt_shell_word_clear (&word);
      g_ptr_array_add (elems, e);
    }
  return g_steal_pointer (&elems);
}
