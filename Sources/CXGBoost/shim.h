// XGBoost's C API (Debian libxgboost-dev 1.7.4; Homebrew xgboost on macOS), for the
// gradient-boosted trees of MatchworkCore/Models/Boosting.
#ifndef MATCHWORK_CXGBOOST_SHIM_H
#define MATCHWORK_CXGBOOST_SHIM_H

#include <xgboost/c_api.h>

#endif
