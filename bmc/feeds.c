/* Stimulus options shared by `bmc sim` and `bmc verify`. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "bmc.h"

int bmc_parse_count(const char *s, uint64_t *out)
{
    if (!s[0] || s[0] == '-' || s[0] == '+')
        return -1;
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno || *end)
        return -1;
    *out = v;
    return 0;
}

int bmc_apply_feeds(bm_sim *sim, const bmc_feed *feeds, int n)
{
    int rc = 0;
    for (int i = 0; i < n && rc == 0; i++) {
        const char *a = feeds[i].arg;
        switch (feeds[i].kind) {
        case 'i': rc = bm_sim_load_stimulus(sim, a, strlen(a), "--in"); break;
        case 'f': rc = bm_sim_load_stimulus_file(sim, a); break;
        default: rc = bm_sim_load_ready(sim, a, strlen(a), "--ready"); break;
        }
    }
    return rc;
}
