/* test_exename.c - the name prefilter every process runs (exename.c). */
#include "exename.h"
#include "unit.h"

int main(void)
{
    /* Only a prefilter: bunid.c then tells the real binary apart. */
    CHECK(exename_may_be_opencode("/usr/bin/opencode"));
    CHECK(exename_may_be_opencode("opencode"));
    CHECK(exename_may_be_opencode("/x/node_modules/.bin/.opencode"));
    CHECK(exename_may_be_opencode("/p/lib/node_modules/opencode-ai/bin/opencode.exe"));
    CHECK(exename_may_be_opencode("/nix/store/x-opencode-1.18/bin/.opencode-wrapped"));
    CHECK(exename_may_be_opencode("/usr/bin/opencode2"));
    CHECK(!exename_may_be_opencode("/usr/bin/xopencode"));
    CHECK(!exename_may_be_opencode("/usr/bin/opencod"));
    CHECK(!exename_may_be_opencode("/opencode/bin/bash"));
    CHECK(!exename_may_be_opencode("..opencode"));
    CHECK(!exename_may_be_opencode("/usr/bin/"));
    CHECK(!exename_may_be_opencode(""));
    CHECK(!exename_may_be_opencode(NULL));
    UNIT_END("test_exename");
}
