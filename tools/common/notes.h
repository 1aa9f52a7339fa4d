/* notes.h - the list of notes a tool gathers (skipped records, degraded database, ...). */
#ifndef OCSHIM_NOTES_H
#define OCSHIM_NOTES_H

struct notes {
    char **items;
    int n, cap;
};

void notes_add(struct notes *ns, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void notes_free(struct notes *ns);

#endif
