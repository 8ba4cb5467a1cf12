#pragma once
// Stripe objects of the shapes pledged's webhook reads (checkout sessions, invoices and
// their payments, charges, refunds, disputes, payment intents, subscriptions), built
// from Stripe's example objects (stripe_template) with our ids and amounts put in, and
// every field that could name another object set explicitly: a template's sample id
// would otherwise tie unrelated objects together. Shared by the money tests and the
// storm test's renderer, so that there is one builder of each object.
#include <nlohmann/json.hpp>

#include <cstdint>
#include <string>

#include "stripe_history.hpp"

namespace pledged::testing {

nlohmann::json subscription_checkout(const HistoryPledge& p, const std::string& customer, const std::string& sub);
nlohmann::json one_time_checkout(const HistoryPledge& p, std::int64_t amount_total, const std::string& intent,
                                 const std::string& customer = "cus_once");
// An invoice of API version 2025-03-31 or later: no charge, no payment intent.
nlohmann::json invoice(const std::string& id, const std::string& customer, const std::string& subscription,
                       std::int64_t amount);
nlohmann::json invoice_payment(const std::string& invoice_id, const std::string& intent);
nlohmann::json charge(const std::string& id, const std::string& customer, const std::string& intent,
                      std::int64_t amount, std::int64_t refunded);
nlohmann::json dispute(const std::string& id, const std::string& charge_id, const std::string& intent,
                       std::int64_t amount, const std::string& status);
nlohmann::json refund(const std::string& id, const std::string& charge_id, const std::string& intent,
                      std::int64_t amount, long long created, const std::string& status);
// A one-time payment intent that succeeded (or not) for `amount`; its metadata names
// `pledge_id` when not empty (a foreign payment names none).
nlohmann::json payment_intent(const std::string& id, const std::string& pledge_id, std::int64_t amount,
                              const std::string& status);
// A subscription of `customer`, canceled; metadata names `pledge_id` when not empty.
nlohmann::json canceled_subscription(const std::string& id, const std::string& customer, const std::string& pledge_id);

}  // namespace pledged::testing
