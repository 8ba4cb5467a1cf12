#include <gtest/gtest.h>

#include "pledged/domain/pledge_status.hpp"

using namespace pledged;

TEST(PledgeStatus, NamesRoundTrip) {
  for (auto status : {PledgeStatus::not_started, PledgeStatus::pending, PledgeStatus::awaiting_payment,
                      PledgeStatus::failed, PledgeStatus::expired, PledgeStatus::paid, PledgeStatus::active,
                      PledgeStatus::canceled, PledgeStatus::refunded}) {
    EXPECT_EQ(parse_pledge_status(to_string(status)), status);
  }
  EXPECT_FALSE(parse_pledge_status("bogus"));
}

TEST(PledgeStatus, MovesForwardOnly) {
  EXPECT_TRUE(can_advance(PledgeStatus::pending, PledgeStatus::awaiting_payment));
  EXPECT_TRUE(can_advance(PledgeStatus::awaiting_payment, PledgeStatus::paid));
  EXPECT_TRUE(can_advance(PledgeStatus::paid, PledgeStatus::refunded));
  EXPECT_TRUE(can_advance(PledgeStatus::active, PledgeStatus::canceled));
  EXPECT_FALSE(can_advance(PledgeStatus::paid, PledgeStatus::pending));
  EXPECT_FALSE(can_advance(PledgeStatus::refunded, PledgeStatus::paid));
  EXPECT_FALSE(can_advance(PledgeStatus::paid, PledgeStatus::paid));
}

TEST(PledgeStatus, ALateFailureAfterSuccessChangesNothing) {
  EXPECT_FALSE(can_advance(PledgeStatus::paid, PledgeStatus::failed));
  EXPECT_FALSE(can_advance(PledgeStatus::active, PledgeStatus::expired));
  // ...while a success after a failed attempt (a donor retrying) is progress.
  EXPECT_TRUE(can_advance(PledgeStatus::failed, PledgeStatus::paid));
  EXPECT_TRUE(can_advance(PledgeStatus::expired, PledgeStatus::paid));
}

TEST(PledgeStatus, PaidAndActiveNeitherReplaceTheOther) {
  EXPECT_FALSE(can_advance(PledgeStatus::paid, PledgeStatus::active));
  EXPECT_FALSE(can_advance(PledgeStatus::active, PledgeStatus::paid));
}

TEST(PledgeStatus, FinalStatusIsTheSameInAnyOrder) {
  const std::vector<PledgeStatus> implied{PledgeStatus::awaiting_payment, PledgeStatus::failed, PledgeStatus::paid,
                                          PledgeStatus::refunded};
  std::vector<PledgeStatus> order = implied;
  std::sort(order.begin(), order.end());
  do {
    PledgeStatus status = PledgeStatus::pending;
    for (auto next : order) {
      if (can_advance(status, next)) status = next;
    }
    EXPECT_EQ(status, PledgeStatus::refunded);
  } while (std::next_permutation(order.begin(), order.end()));
}
