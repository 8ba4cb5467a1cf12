#include "pledged/app/cli.hpp"

int main(int argc, char** argv) { return pledged::run_cli(argc, argv); }
