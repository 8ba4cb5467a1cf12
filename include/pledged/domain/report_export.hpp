#pragma once
// The columns of the staff CSV exports, one function per file.
#include <string>

#include "pledged/domain/report.hpp"

namespace pledged {

void append_gift_csv_header(std::string& out);
void append_gift_csv_row(std::string& out, const GiftExportRow& row);

void append_lapsed_donor_csv_header(std::string& out);
void append_lapsed_donor_csv_row(std::string& out, const DonorLine& donor);

}  // namespace pledged
