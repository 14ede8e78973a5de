# repro_add_suite(NAME [TIMEOUT seconds]): `ctest -L repro` runs suite NAME against
# its committed goldens (see harness docs). Defined by the checker work.
