/* pt-shellvar.h: reading shell-syntax configuration files (etc/default/grub,
 * etc/mkinitcpio.conf) far enough to find every variable assignment and the
 * exact bytes of its value, without running or rewriting anything else. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct
{
  char     *name;
  guint     line;         /* 1-based line of the name */
  gsize     start;        /* first byte of the assignment ("export" or the name) */
  gsize     value_start;  /* first byte after '=' */
  gsize     value_end;    /* end of the value word, or after ')' of an array */
  gboolean  append;       /* NAME+=… */
  gboolean  array;        /* NAME=( … ) */
  gboolean  exported;     /* export NAME=… */
} PtShellAssign;

void       pt_shell_assign_free (PtShellAssign *a);

/* Every assignment in @text in order. A file the lexer cannot follow
 * (an unterminated quote or substitution, a here-document) gives NULL with
 * the 1-based @error_line and a translated @error_reason. */
GPtrArray *pt_shell_scan        (const char  *text,
                                 gsize        len,
                                 guint       *error_line,
                                 char       **error_reason);

/* The last plain or appending assignment of @name, or NULL. */
PtShellAssign *pt_shell_find_last (GPtrArray  *assigns,
                                   const char *name);

typedef enum
{
  PT_SHELL_QUOTE_NONE,
  PT_SHELL_QUOTE_DOUBLE,
  PT_SHELL_QUOTE_SINGLE,
} PtShellQuote;

/* A value word taken apart: its text as the shell sees it and, for each byte
 * of that text, the bytes of the file it comes from. Only words written in
 * one quoting style, without expansions, are decoded. */
typedef struct
{
  char         *value;
  gsize         len;
  gsize        *raw_start;   /* per byte of value */
  gsize        *raw_end;
  PtShellQuote  quote;
  gsize         inner_start; /* inside the quotes (the word for NONE) */
  gsize         inner_end;
} PtShellWord;

void       pt_shell_word_clear  (PtShellWord *word);
/* FALSE with a translated @reason when the word has an expansion
 * ($VAR, $(…), `…`, ${…}), mixes quoting styles or has a newline. */
gboolean   pt_shell_word_decode (const char   *text,
                                 gsize         start,
                                 gsize         end,
                                 PtShellWord  *word,
                                 char        **reason);
/* @plain written so that inside @quote the shell reads it back; NULL when
 * that cannot be done (a ' inside single quotes). */
char      *pt_shell_encode      (PtShellQuote  quote,
                                 const char   *plain);

/* The elements of an array value ( … ) at [open, close]: words, comments
 * and blank lines between them. Each element decoded as by
 * pt_shell_word_decode(); returns FALSE with the offset and reason of the
 * first one that is not simple. Elements are PtShellElement. */
typedef struct
{
  char  *value;
  gsize  start;
  gsize  end;
} PtShellElement;

void       pt_shell_element_free (PtShellElement *e);
GPtrArray *pt_shell_array_elements (const char  *text,
                                    gsize        open,
                                    gsize        close,
                                    gsize       *error_offset,
                                    char       **reason);

G_END_DECLS
