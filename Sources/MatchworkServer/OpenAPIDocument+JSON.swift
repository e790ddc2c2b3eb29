// The API's OpenAPI 3.1 document. Keep it in step with the routes: OpenAPITests checks that
// every route is documented and every documented route exists; scripts/schemathesis.sh (run by
// `make test`) checks that generated requests get answers that match it, and that input the
// schemas refuse is refused.
extension OpenAPIDocument {
    static let json = #"""
{
 "components": {
  "schemas": {
   "APIKey": {
    "additionalProperties": false,
    "properties": {
     "created_at": {
      "type": "integer"
     },
     "id": {
      "type": "string"
     },
     "name": {
      "type": "string"
     },
     "rate_limit": {
      "type": "integer"
     },
     "revoked_at": {
      "type": "integer"
     },
     "role": {
      "enum": [
       "read",
       "write",
       "admin"
      ],
      "type": "string"
     }
    },
    "required": [
     "id",
     "role",
     "created_at"
    ],
    "type": "object"
   },
   "BatchRequest": {
    "additionalProperties": false,
    "properties": {
     "requests": {
      "items": {
       "$ref": "#/components/schemas/RecommendationRequest"
      },
      "maxItems": 100,
      "minItems": 1,
      "type": "array"
     }
    },
    "required": [
     "requests"
    ],
    "type": "object"
   },
   "BatchResponse": {
    "additionalProperties": false,
    "properties": {
     "results": {
      "items": {
       "additionalProperties": false,
       "properties": {
        "error": {
         "additionalProperties": false,
         "properties": {
          "code": {
           "type": "string"
          },
          "field": {
           "type": "string"
          },
          "message": {
           "type": "string"
          }
         },
         "required": [
          "code",
          "message"
         ],
         "type": "object"
        },
        "recommendation": {
         "$ref": "#/components/schemas/Recommendations"
        },
        "status": {
         "type": "integer"
        }
       },
       "required": [
        "status"
       ],
       "type": "object"
      },
      "type": "array"
     }
    },
    "required": [
     "results"
    ],
    "type": "object"
   },
   "BidSuggestion": {
    "additionalProperties": false,
    "properties": {
     "maximum": {
      "type": "number"
     },
     "minimum": {
      "type": "number"
     },
     "optimal": {
      "type": "number"
     }
    },
    "required": [
     "minimum",
     "optimal",
     "maximum"
    ],
    "type": "object"
   },
   "CreatedKey": {
    "additionalProperties": false,
    "properties": {
     "key": {
      "type": "string"
     },
     "record": {
      "$ref": "#/components/schemas/APIKey"
     }
    },
    "required": [
     "key",
     "record"
    ],
    "type": "object"
   },
   "EngineSummary": {
    "additionalProperties": false,
    "properties": {
     "answering": {
      "type": "string"
     },
     "built_at": {
      "type": "string"
     },
     "generation": {
      "type": "integer"
     },
     "models": {
      "additionalProperties": {
       "type": "string"
      },
      "type": "object"
     },
     "opportunities": {
      "type": "integer"
     },
     "people": {
      "type": "integer"
     }
    },
    "required": [
     "generation",
     "built_at",
     "people",
     "opportunities",
     "models",
     "answering"
    ],
    "type": "object"
   },
   "Error": {
    "additionalProperties": false,
    "properties": {
     "code": {
      "type": "string"
     },
     "field": {
      "type": [
       "string",
       "null"
      ]
     },
     "message": {
      "type": "string"
     }
    },
    "required": [
     "code",
     "message",
     "field"
    ],
    "type": "object"
   },
   "Event": {
    "additionalProperties": false,
    "properties": {
     "comment": {
      "type": "string"
     },
     "event_id": {
      "type": "string"
     },
     "opportunity_id": {
      "type": "string"
     },
     "person_id": {
      "type": "string"
     },
     "reason": {
      "type": "string"
     },
     "retracts": {
      "description": "For a retract event: the event_id of the event it withdraws.",
      "type": "string"
     },
     "sub_scores": {
      "additionalProperties": {
       "type": "number"
      },
      "type": "object"
     },
     "timestamp": {
      "type": "integer"
     },
     "type": {
      "type": "string"
     },
     "value": {
      "type": "number"
     }
    },
    "required": [
     "person_id",
     "opportunity_id",
     "type",
     "timestamp"
    ],
    "type": "object"
   },
   "EventBatch": {
    "additionalProperties": false,
    "properties": {
     "events": {
      "items": {
       "$ref": "#/components/schemas/EventInput"
      },
      "maxItems": 10000,
      "minItems": 1,
      "type": "array"
     }
    },
    "required": [
     "events"
    ],
    "type": "object"
   },
   "EventInput": {
    "additionalProperties": false,
    "allOf": [
     {
      "if": {
       "properties": {
        "type": {
         "const": "bid"
        }
       },
       "required": [
        "type"
       ]
      },
      "then": {
       "properties": {
        "value": {
         "exclusiveMinimum": 0,
         "type": "number"
        }
       },
       "required": [
        "value"
       ]
      }
     },
     {
      "else": {
       "properties": {
        "sub_scores": {
         "oneOf": [
          {
           "type": "null"
          },
          {
           "maxProperties": 0,
           "type": "object"
          }
         ]
        }
       }
      },
      "if": {
       "properties": {
        "type": {
         "const": "rate"
        }
       },
       "required": [
        "type"
       ]
      },
      "then": {
       "properties": {
        "value": {
         "maximum": 10,
         "minimum": 0,
         "type": "number"
        }
       },
       "required": [
        "value"
       ]
      }
     },
     {
      "else": {
       "properties": {
        "comment": {
         "type": "null"
        },
        "reason": {
         "type": "null"
        }
       }
      },
      "if": {
       "properties": {
        "type": {
         "const": "feedback"
        }
       },
       "required": [
        "type"
       ]
      },
      "then": {
       "properties": {
        "reason": {
         "minLength": 1,
         "type": "string"
        }
       },
       "required": [
        "reason"
       ]
      }
     },
     {
      "properties": {
       "value": {
        "oneOf": [
         {
          "type": "null"
         },
         {
          "maximum": 1000000000000.0,
          "minimum": -1000000000000.0,
          "type": "number"
         }
        ]
       }
      }
     }
    ],
    "properties": {
     "comment": {
      "maxLength": 2000,
      "type": [
       "string",
       "null"
      ]
     },
     "event_id": {
      "anyOf": [
       {
        "oneOf": [
         {
          "maxLength": 128,
          "minLength": 1,
          "pattern": "^[^\\u0000-\\u001f\\u007f ]([^\\u0000-\\u001f\\u007f]*[^\\u0000-\\u001f\\u007f ])?$",
          "type": "string"
         },
         {
          "type": "null"
         }
        ]
       },
       {
        "const": ""
       }
      ]
     },
     "opportunity_id": {
      "maxLength": 128,
      "minLength": 1,
      "pattern": "^[^\\u0000-\\u001f\\u007f ]([^\\u0000-\\u001f\\u007f]*[^\\u0000-\\u001f\\u007f ])?$",
      "type": "string"
     },
     "person_id": {
      "maxLength": 128,
      "minLength": 1,
      "pattern": "^[^\\u0000-\\u001f\\u007f ]([^\\u0000-\\u001f\\u007f]*[^\\u0000-\\u001f\\u007f ])?$",
      "type": "string"
     },
     "reason": {
      "anyOf": [
       {
        "oneOf": [
         {
          "enum": [
           "helpful",
           "not_relevant",
           "too_expensive",
           "too_far",
           "wrong_specialty",
           "other"
          ],
          "type": "string"
         },
         {
          "type": "null"
         }
        ]
       },
       {
        "const": ""
       }
      ]
     },
     "sub_scores": {
      "oneOf": [
       {
        "additionalProperties": {
         "maximum": 10,
         "minimum": 0,
         "type": "number"
        },
        "propertyNames": {
         "maxLength": 96,
         "minLength": 1,
         "pattern": "^[^\\u0000-\\u001f\\u007f;|:,= ]([^\\u0000-\\u001f\\u007f;|:,=]*[^\\u0000-\\u001f\\u007f;|:,= ])?$",
         "type": "string"
        },
        "type": "object"
       },
       {
        "type": "null"
       }
      ]
     },
     "timestamp": {
      "description": "When the event happened: 1970-01-01 to 2099-12-31, and at most max_event_skew (default one day) after the service's clock; an event dated later is refused with 422.",
      "oneOf": [
       {
        "maximum": 4102444799,
        "minimum": 0,
        "type": "integer"
       },
       {
        "pattern": "^(19[7-9][0-9]|20[0-9][0-9])-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])([T ]([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](Z|[+-]([01][0-9]|2[0-3]):[0-5][0-9])?)?$",
        "type": "string"
       }
      ]
     },
     "type": {
      "enum": [
       "view",
       "click",
       "apply",
       "bid",
       "shortlist",
       "hire",
       "accept",
       "accepted",
       "hired",
       "decline",
       "complete",
       "cancel",
       "no_show",
       "no-show",
       "noshow",
       "rate",
       "enroll",
       "pass",
       "fail",
       "feedback"
      ],
      "type": "string"
     },
     "value": {
      "type": [
       "number",
       "null"
      ]
     }
    },
    "required": [
     "person_id",
     "opportunity_id",
     "type",
     "timestamp"
    ],
    "type": "object"
   },
   "EventPage": {
    "additionalProperties": false,
    "properties": {
     "items": {
      "items": {
       "$ref": "#/components/schemas/Event"
      },
      "type": "array"
     },
     "next_cursor": {
      "type": [
       "string",
       "null"
      ]
     }
    },
    "required": [
     "items",
     "next_cursor"
    ],
    "type": "object"
   },
   "EventSummary": {
    "additionalProperties": false,
    "properties": {
     "duplicate": {
      "type": "integer"
     },
     "inserted": {
      "type": "integer"
     }
    },
    "required": [
     "inserted",
     "duplicate"
    ],
    "type": "object"
   },
   "Fallback": {
    "additionalProperties": false,
    "properties": {
     "component": {
      "type": "string"
     },
     "reason": {
      "type": "string"
     }
    },
    "required": [
     "component",
     "reason"
    ],
    "type": "object"
   },
   "Feedback": {
    "additionalProperties": false,
    "properties": {
     "comment": {
      "type": "string"
     },
     "event_id": {
      "type": "string"
     },
     "opportunity": {
      "type": "string"
     },
     "person": {
      "type": "string"
     },
     "reason": {
      "type": "string"
     },
     "recommendation_id": {
      "type": "string"
     },
     "timestamp": {
      "type": "integer"
     }
    },
    "required": [
     "event_id",
     "person",
     "opportunity",
     "reason",
     "timestamp"
    ],
    "type": "object"
   },
   "FeedbackInput": {
    "additionalProperties": false,
    "properties": {
     "comment": {
      "maxLength": 2000,
      "type": [
       "string",
       "null"
      ]
     },
     "event_id": {
      "oneOf": [
       {
        "maxLength": 128,
        "minLength": 1,
        "pattern": "^[^\\u0000-\\u001f\\u007f ]([^\\u0000-\\u001f\\u007f]*[^\\u0000-\\u001f\\u007f ])?$",
        "type": "string"
       },
       {
        "type": "null"
       }
      ]
     },
     "opportunity_id": {
      "maxLength": 128,
      "minLength": 1,
      "pattern": "^[^\\u0000-\\u001f\\u007f ]([^\\u0000-\\u001f\\u007f]*[^\\u0000-\\u001f\\u007f ])?$",
      "type": "string"
     },
     "person_id": {
      "maxLength": 128,
      "minLength": 1,
      "pattern": "^[^\\u0000-\\u001f\\u007f ]([^\\u0000-\\u001f\\u007f]*[^\\u0000-\\u001f\\u007f ])?$",
      "type": "string"
     },
     "reason": {
      "enum": [
       "helpful",
       "not_relevant",
       "too_expensive",
       "too_far",
       "wrong_specialty",
       "other"
      ],
      "type": "string"
     },
     "recommendation_id": {
      "oneOf": [
       {
        "maxLength": 128,
        "minLength": 1,
        "pattern": "^[^\\u0000-\\u001f\\u007f ]([^\\u0000-\\u001f\\u007f]*[^\\u0000-\\u001f\\u007f ])?$",
        "type": "string"
       },
       {
        "type": "null"
       }
      ]
     },
     "timestamp": {
      "oneOf": [
       {
        "maximum": 4102444799,
        "minimum": 0,
        "type": "integer"
       },
       {
        "pattern": "^(19[7-9][0-9]|20[0-9][0-9])-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])([T ]([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](Z|[+-]([01][0-9]|2[0-3]):[0-5][0-9])?)?$",
        "type": "string"
       },
       {
        "type": "null"
       }
      ]
     }
    },
    "required": [
     "person_id",
     "opportunity_id",
     "reason"
    ],
    "type": "object"
   },
   "FeedbackPage": {
    "additionalProperties": false,
    "properties": {
     "items": {
      "items": {
       "$ref": "#/components/schemas/Feedback"
      },
      "type": "array"
     },
     "next_cursor": {
      "type": [
       "string",
       "null"
      ]
     }
    },
    "required": [
     "items",
     "next_cursor"
    ],
    "type": "object"
   },
   "FeedbackResponse": {
    "additionalProperties": false,
    "properties": {
     "event_id": {
      "type": "string"
     },
     "feedback": {
      "$ref": "#/components/schemas/Feedback"
     },
     "recorded": {
      "type": "boolean"
     }
    },
    "required": [
     "recorded",
     "event_id",
     "feedback"
    ],
    "type": "object"
   },
   "Filters": {
    "additionalProperties": false,
    "properties": {
     "exclude": {
      "anyOf": [
       {
        "items": {
         "maxLength": 128,
         "minLength": 1,
         "pattern": "^[^\\u0000-\\u001f\\u007f ]([^\\u0000-\\u001f\\u007f]*[^\\u0000-\\u001f\\u007f ])?$",
         "type": "string"
        },
        "type": "array"
       },
       {
        "type": "null"
       }
      ]
     },
     "facets": {
      "anyOf": [
       {
        "additionalProperties": {
         "items": {
          "minLength": 1,
          "type": "string"
         },
         "minItems": 1,
         "type": "array"
        },
        "type": "object"
       },
       {
        "type": "null"
       }
      ]
     },
     "max_distance": {
      "anyOf": [
       {
        "exclusiveMinimum": 0,
        "maximum": 20040,
        "type": "number"
       },
       {
        "type": "null"
       }
      ]
     },
     "max_price": {
      "anyOf": [
       {
        "maximum": 1000000000000.0,
        "minimum": 0,
        "type": "number"
       },
       {
        "type": "null"
       }
      ]
     },
     "min_price": {
      "anyOf": [
       {
        "maximum": 1000000000000.0,
        "minimum": 0,
        "type": "number"
       },
       {
        "type": "null"
       }
      ]
     },
     "prerequisites": {
      "description": "Courses whose prerequisites the learner lacks: strict leaves them out (the default), warn keeps them with a reason per unmet prerequisite.",
      "enum": [
       "strict",
       "warn"
      ],
      "type": "string"
     },
     "starts_after": {
      "anyOf": [
       {
        "oneOf": [
         {
          "maximum": 4102444799,
          "minimum": 0,
          "type": "integer"
         },
         {
          "pattern": "^(19[7-9][0-9]|20[0-9][0-9])-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])([T ]([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](Z|[+-]([01][0-9]|2[0-3]):[0-5][0-9])?)?$",
          "type": "string"
         }
        ]
       },
       {
        "type": "null"
       }
      ]
     },
     "starts_before": {
      "anyOf": [
       {
        "oneOf": [
         {
          "maximum": 4102444799,
          "minimum": 0,
          "type": "integer"
         },
         {
          "pattern": "^(19[7-9][0-9]|20[0-9][0-9])-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])([T ]([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](Z|[+-]([01][0-9]|2[0-3]):[0-5][0-9])?)?$",
          "type": "string"
         }
        ]
       },
       {
        "type": "null"
       }
      ]
     }
    },
    "type": "object"
   },
   "Health": {
    "additionalProperties": false,
    "properties": {
     "engine": {
      "$ref": "#/components/schemas/EngineSummary"
     },
     "reason": {
      "type": "string"
     },
     "status": {
      "type": "string"
     },
     "store": {
      "type": "string"
     }
    },
    "required": [
     "status"
    ],
    "type": "object"
   },
   "KeyInput": {
    "additionalProperties": false,
    "properties": {
     "name": {
      "maxLength": 200,
      "pattern": "^[^\\u0000-\\u001f\\u007f]*$",
      "type": [
       "string",
       "null"
      ]
     },
     "rate_limit": {
      "maximum": 1000000,
      "minimum": 1,
      "type": [
       "integer",
       "null"
      ]
     },
     "role": {
      "enum": [
       "read",
       "write",
       "admin"
      ],
      "type": "string"
     }
    },
    "required": [
     "role"
    ],
    "type": "object"
   },
   "KeyList": {
    "additionalProperties": false,
    "properties": {
     "items": {
      "items": {
       "$ref": "#/components/schemas/APIKey"
      },
      "type": "array"
     }
    },
    "required": [
     "items"
    ],
    "type": "object"
   },
   "ModelEntry": {
    "additionalProperties": false,
    "properties": {
     "created_at": {
      "type": "string"
     },
     "data": {
      "additionalProperties": {
       "type": "integer"
      },
      "type": "object"
     },
     "hyper_parameters": {
      "additionalProperties": {
       "type": "string"
      },
      "type": "object"
     },
     "kind": {
      "type": "string"
     },
     "metrics": {
      "additionalProperties": {
       "type": "object"
      },
      "type": "object"
     },
     "problem": {
      "type": "string"
     },
     "serving": {
      "type": "boolean"
     },
     "training_seconds": {
      "type": "number"
     },
     "usable": {
      "type": "boolean"
     },
     "version": {
      "type": "string"
     }
    },
    "required": [
     "version",
     "kind",
     "serving",
     "usable"
    ],
    "type": "object"
   },
   "ModelsStatus": {
    "additionalProperties": false,
    "properties": {
     "engine": {
      "$ref": "#/components/schemas/EngineSummary"
     },
     "models": {
      "items": {
       "$ref": "#/components/schemas/ModelEntry"
      },
      "type": "array"
     },
     "retrain": {
      "$ref": "#/components/schemas/RetrainStatus"
     },
     "serving": {
      "additionalProperties": {
       "type": "string"
      },
      "type": "object"
     }
    },
    "required": [
     "serving",
     "models",
     "retrain"
    ],
    "type": "object"
   },
   "Opportunity": {
    "additionalProperties": false,
    "properties": {
     "attributes": {
      "additionalProperties": {
       "type": "number"
      },
      "type": "object"
     },
     "certifications": {
      "items": {
       "type": "string"
      },
      "type": "array"
     },
     "client_id": {
      "type": "string"
     },
     "ends_at": {
      "type": "string"
     },
     "id": {
      "type": "string"
     },
     "kind": {
      "enum": [
       "mission",
       "job",
       "course",
       "posting"
      ],
      "type": "string"
     },
     "latitude": {
      "type": "number"
     },
     "longitude": {
      "type": "number"
     },
     "preferred": {
      "additionalProperties": {
       "items": {
        "type": "string"
       },
       "type": "array"
      },
      "type": "object"
     },
     "prerequisites": {
      "additionalProperties": {
       "type": "number"
      },
      "type": "object"
     },
     "required": {
      "additionalProperties": {
       "items": {
        "type": "string"
       },
       "type": "array"
      },
      "type": "object"
     },
     "slots": {
      "type": "integer"
     },
     "starts_at": {
      "type": "string"
     },
     "status": {
      "enum": [
       "open",
       "filled",
       "closed"
      ],
      "type": "string"
     },
     "teaches": {
      "additionalProperties": {
       "type": "number"
      },
      "type": "object"
     },
     "title": {
      "type": "string"
     }
    },
    "required": [
     "id",
     "kind",
     "slots",
     "status"
    ],
    "type": "object"
   },
   "OpportunityBulk": {
    "additionalProperties": false,
    "properties": {
     "opportunities": {
      "items": {
       "$ref": "#/components/schemas/OpportunityInput"
      },
      "maxItems": 10000,
      "minItems": 1,
      "type": "array"
     }
    },
    "required": [
     "opportunities"
    ],
    "type": "object"
   },
   "OpportunityInput": {
    "additionalProperties": false,
    "properties": {
     "attributes": {
      "type": [
       "object",
       "string",
       "null"
      ]
     },
     "certifications": {
      "type": [
       "array",
       "string",
       "null"
      ]
     },
     "client_id": {
      "oneOf": [
       {
        "maxLength": 128,
        "minLength": 1,
        "pattern": "^[^\\u0000-\\u001f\\u007f ]([^\\u0000-\\u001f\\u007f]*[^\\u0000-\\u001f\\u007f ])?$",
        "type": "string"
       },
       {
        "type": "null"
       },
       {
        "const": "",
        "description": "No client."
       }
      ]
     },
     "ends_at": {
      "anyOf": [
       {
        "oneOf": [
         {
          "maximum": 253402300799,
          "minimum": -62167219200,
          "type": "integer"
         },
         {
          "pattern": "^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])([T ]([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](Z|[+-]([01][0-9]|2[0-3]):[0-5][0-9])?)?$",
          "type": "string"
         },
         {
          "type": "null"
         }
        ]
       },
       {
        "const": ""
       }
      ]
     },
     "id": {
      "maxLength": 128,
      "minLength": 1,
      "pattern": "^[^\\u0000-\\u001f\\u007f ]([^\\u0000-\\u001f\\u007f]*[^\\u0000-\\u001f\\u007f ])?$",
      "type": "string"
     },
     "kind": {
      "enum": [
       "mission",
       "job",
       "course",
       "posting"
      ],
      "type": "string"
     },
     "latitude": {
      "type": [
       "number",
       "null"
      ]
     },
     "longitude": {
      "type": [
       "number",
       "null"
      ]
     },
     "preferred": {
      "type": [
       "object",
       "string",
       "null"
      ]
     },
     "prerequisites": {
      "type": [
       "object",
       "string",
       "null"
      ]
     },
     "required": {
      "type": [
       "object",
       "string",
       "null"
      ]
     },
     "slots": {
      "maximum": 100000,
      "minimum": 1,
      "type": [
       "integer",
       "null"
      ]
     },
     "starts_at": {
      "anyOf": [
       {
        "oneOf": [
         {
          "maximum": 253402300799,
          "minimum": -62167219200,
          "type": "integer"
         },
         {
          "pattern": "^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])([T ]([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](Z|[+-]([01][0-9]|2[0-3]):[0-5][0-9])?)?$",
          "type": "string"
         },
         {
          "type": "null"
         }
        ]
       },
       {
        "const": ""
       }
      ]
     },
     "status": {
      "anyOf": [
       {
        "oneOf": [
         {
          "enum": [
           "open",
           "filled",
           "closed"
          ],
          "type": "string"
         },
         {
          "type": "null"
         }
        ]
       },
       {
        "const": ""
       }
      ]
     },
     "teaches": {
      "type": [
       "object",
       "string",
       "null"
      ]
     },
     "title": {
      "type": [
       "string",
       "null"
      ]
     }
    },
    "required": [
     "id",
     "kind"
    ],
    "type": "object"
   },
   "OpportunityPage": {
    "additionalProperties": false,
    "properties": {
     "items": {
      "items": {
       "$ref": "#/components/schemas/Opportunity"
      },
      "type": "array"
     },
     "next_cursor": {
      "type": [
       "string",
       "null"
      ]
     }
    },
    "required": [
     "items",
     "next_cursor"
    ],
    "type": "object"
   },
   "OpportunityPatch": {
    "additionalProperties": false,
    "properties": {
     "attributes": {
      "type": [
       "object",
       "string",
       "null"
      ]
     },
     "certifications": {
      "type": [
       "array",
       "string",
       "null"
      ]
     },
     "client_id": {
      "oneOf": [
       {
        "maxLength": 128,
        "minLength": 1,
        "pattern": "^[^\\u0000-\\u001f\\u007f ]([^\\u0000-\\u001f\\u007f]*[^\\u0000-\\u001f\\u007f ])?$",
        "type": "string"
       },
       {
        "type": "null"
       },
       {
        "const": "",
        "description": "No client."
       }
      ]
     },
     "ends_at": {
      "anyOf": [
       {
        "oneOf": [
         {
          "maximum": 253402300799,
          "minimum": -62167219200,
          "type": "integer"
         },
         {
          "pattern": "^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])([T ]([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](Z|[+-]([01][0-9]|2[0-3]):[0-5][0-9])?)?$",
          "type": "string"
         },
         {
          "type": "null"
         }
        ]
       },
       {
        "const": ""
       }
      ]
     },
     "kind": {
      "enum": [
       "mission",
       "job",
       "course",
       "posting"
      ],
      "type": "string"
     },
     "latitude": {
      "type": [
       "number",
       "null"
      ]
     },
     "longitude": {
      "type": [
       "number",
       "null"
      ]
     },
     "preferred": {
      "type": [
       "object",
       "string",
       "null"
      ]
     },
     "prerequisites": {
      "type": [
       "object",
       "string",
       "null"
      ]
     },
     "required": {
      "type": [
       "object",
       "string",
       "null"
      ]
     },
     "slots": {
      "maximum": 100000,
      "minimum": 1,
      "type": [
       "integer",
       "null"
      ]
     },
     "starts_at": {
      "anyOf": [
       {
        "oneOf": [
         {
          "maximum": 253402300799,
          "minimum": -62167219200,
          "type": "integer"
         },
         {
          "pattern": "^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])([T ]([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](Z|[+-]([01][0-9]|2[0-3]):[0-5][0-9])?)?$",
          "type": "string"
         },
         {
          "type": "null"
         }
        ]
       },
       {
        "const": ""
       }
      ]
     },
     "status": {
      "anyOf": [
       {
        "oneOf": [
         {
          "enum": [
           "open",
           "filled",
           "closed"
          ],
          "type": "string"
         },
         {
          "type": "null"
         }
        ]
       },
       {
        "const": ""
       }
      ]
     },
     "teaches": {
      "type": [
       "object",
       "string",
       "null"
      ]
     },
     "title": {
      "type": [
       "string",
       "null"
      ]
     }
    },
    "type": "object"
   },
   "Outcome": {
    "additionalProperties": false,
    "properties": {
     "event_id": {
      "type": "string"
     },
     "item_id": {
      "type": "string"
     },
     "outcome": {
      "type": "string"
     },
     "rank": {
      "type": "integer"
     },
     "recommendation_id": {
      "type": "string"
     },
     "timestamp": {
      "type": "integer"
     },
     "value": {
      "type": "number"
     }
    },
    "required": [
     "event_id",
     "recommendation_id",
     "item_id",
     "rank",
     "outcome",
     "timestamp"
    ],
    "type": "object"
   },
   "OutcomeInput": {
    "additionalProperties": false,
    "properties": {
     "event_id": {
      "oneOf": [
       {
        "maxLength": 128,
        "minLength": 1,
        "pattern": "^[^\\u0000-\\u001f\\u007f ]([^\\u0000-\\u001f\\u007f]*[^\\u0000-\\u001f\\u007f ])?$",
        "type": "string"
       },
       {
        "type": "null"
       }
      ]
     },
     "item_id": {
      "maxLength": 128,
      "minLength": 1,
      "pattern": "^[^\\u0000-\\u001f\\u007f ]([^\\u0000-\\u001f\\u007f]*[^\\u0000-\\u001f\\u007f ])?$",
      "type": "string"
     },
     "outcome": {
      "enum": [
       "viewed",
       "applied",
       "bid_placed",
       "contacted",
       "accepted",
       "hired",
       "completed"
      ],
      "type": "string"
     },
     "timestamp": {
      "oneOf": [
       {
        "maximum": 4102444799,
        "minimum": 0,
        "type": "integer"
       },
       {
        "pattern": "^(19[7-9][0-9]|20[0-9][0-9])-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])([T ]([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](Z|[+-]([01][0-9]|2[0-3]):[0-5][0-9])?)?$",
        "type": "string"
       },
       {
        "type": "null"
       }
      ]
     },
     "value": {
      "minimum": 0,
      "type": [
       "number",
       "null"
      ]
     }
    },
    "required": [
     "item_id",
     "outcome"
    ],
    "type": "object"
   },
   "OutcomePage": {
    "additionalProperties": false,
    "properties": {
     "items": {
      "items": {
       "$ref": "#/components/schemas/Outcome"
      },
      "type": "array"
     },
     "next_cursor": {
      "type": [
       "string",
       "null"
      ]
     }
    },
    "required": [
     "items",
     "next_cursor"
    ],
    "type": "object"
   },
   "OutcomeResponse": {
    "additionalProperties": false,
    "properties": {
     "event_id": {
      "type": "string"
     },
     "outcome": {
      "$ref": "#/components/schemas/Outcome"
     },
     "recorded": {
      "type": "boolean"
     }
    },
    "required": [
     "recorded",
     "event_id",
     "outcome"
    ],
    "type": "object"
   },
   "Person": {
    "additionalProperties": false,
    "properties": {
     "attributes": {
      "additionalProperties": {
       "type": "number"
      },
      "type": "object"
     },
     "availability": {
      "items": {
       "type": "string"
      },
      "type": "array"
     },
     "capacity": {
      "type": "integer"
     },
     "certifications": {
      "additionalProperties": {
       "type": [
        "string",
        "null"
       ]
      },
      "type": "object"
     },
     "facets": {
      "additionalProperties": {
       "items": {
        "type": "string"
       },
       "type": "array"
      },
      "type": "object"
     },
     "id": {
      "type": "string"
     },
     "latitude": {
      "type": "number"
     },
     "longitude": {
      "type": "number"
     },
     "name": {
      "type": "string"
     },
     "role": {
      "enum": [
       "worker",
       "learner",
       "client"
      ],
      "type": "string"
     },
     "skills": {
      "additionalProperties": {
       "type": "number"
      },
      "type": "object"
     }
    },
    "required": [
     "id",
     "role",
     "capacity"
    ],
    "type": "object"
   },
   "PersonBulk": {
    "additionalProperties": false,
    "properties": {
     "people": {
      "items": {
       "$ref": "#/components/schemas/PersonInput"
      },
      "maxItems": 10000,
      "minItems": 1,
      "type": "array"
     }
    },
    "required": [
     "people"
    ],
    "type": "object"
   },
   "PersonInput": {
    "additionalProperties": false,
    "properties": {
     "attributes": {
      "type": [
       "object",
       "string",
       "null"
      ]
     },
     "availability": {
      "type": [
       "array",
       "string",
       "null"
      ]
     },
     "capacity": {
      "maximum": 1000,
      "minimum": 1,
      "type": [
       "integer",
       "null"
      ]
     },
     "certifications": {
      "type": [
       "object",
       "array",
       "string",
       "null"
      ]
     },
     "facets": {
      "type": [
       "object",
       "string",
       "null"
      ]
     },
     "id": {
      "maxLength": 128,
      "minLength": 1,
      "pattern": "^[^\\u0000-\\u001f\\u007f ]([^\\u0000-\\u001f\\u007f]*[^\\u0000-\\u001f\\u007f ])?$",
      "type": "string"
     },
     "latitude": {
      "type": [
       "number",
       "null"
      ]
     },
     "longitude": {
      "type": [
       "number",
       "null"
      ]
     },
     "name": {
      "type": [
       "string",
       "null"
      ]
     },
     "role": {
      "enum": [
       "worker",
       "learner",
       "client"
      ],
      "type": "string"
     },
     "skills": {
      "type": [
       "object",
       "string",
       "null"
      ]
     }
    },
    "required": [
     "id",
     "role"
    ],
    "type": "object"
   },
   "PersonPage": {
    "additionalProperties": false,
    "properties": {
     "items": {
      "items": {
       "$ref": "#/components/schemas/Person"
      },
      "type": "array"
     },
     "next_cursor": {
      "type": [
       "string",
       "null"
      ]
     }
    },
    "required": [
     "items",
     "next_cursor"
    ],
    "type": "object"
   },
   "PersonPatch": {
    "additionalProperties": false,
    "properties": {
     "attributes": {
      "type": [
       "object",
       "string",
       "null"
      ]
     },
     "availability": {
      "type": [
       "array",
       "string",
       "null"
      ]
     },
     "capacity": {
      "maximum": 1000,
      "minimum": 1,
      "type": [
       "integer",
       "null"
      ]
     },
     "certifications": {
      "type": [
       "object",
       "array",
       "string",
       "null"
      ]
     },
     "facets": {
      "type": [
       "object",
       "string",
       "null"
      ]
     },
     "latitude": {
      "type": [
       "number",
       "null"
      ]
     },
     "longitude": {
      "type": [
       "number",
       "null"
      ]
     },
     "name": {
      "type": [
       "string",
       "null"
      ]
     },
     "role": {
      "enum": [
       "worker",
       "learner",
       "client"
      ],
      "type": "string"
     },
     "skills": {
      "type": [
       "object",
       "string",
       "null"
      ]
     }
    },
    "type": "object"
   },
   "RecommendationRequest": {
    "additionalProperties": false,
    "oneOf": [
     {
      "not": {
       "properties": {
        "opportunity_id": {
         "type": "string"
        }
       },
       "required": [
        "opportunity_id"
       ]
      },
      "properties": {
       "person_id": {
        "type": "string"
       }
      },
      "required": [
       "person_id"
      ]
     },
     {
      "not": {
       "properties": {
        "person_id": {
         "type": "string"
        }
       },
       "required": [
        "person_id"
       ]
      },
      "properties": {
       "opportunity_id": {
        "type": "string"
       }
      },
      "required": [
       "opportunity_id"
      ]
     }
    ],
    "properties": {
     "count": {
      "anyOf": [
       {
        "default": 10,
        "maximum": 1000,
        "minimum": 1,
        "type": "integer"
       },
       {
        "type": "null"
       }
      ]
     },
     "explain": {
      "anyOf": [
       {
        "default": false,
        "type": "boolean"
       },
       {
        "type": "null"
       }
      ]
     },
     "filters": {
      "anyOf": [
       {
        "$ref": "#/components/schemas/Filters"
       },
       {
        "type": "null"
       }
      ]
     },
     "mode": {
      "anyOf": [
       {
        "enum": [
         "rule_based",
         "similarity",
         "neighbourhood",
         "collaborative",
         "popularity",
         "neural",
         "ensemble"
        ],
        "type": "string"
       },
       {
        "type": "null"
       }
      ]
     },
     "opportunity_id": {
      "anyOf": [
       {
        "maxLength": 128,
        "minLength": 1,
        "pattern": "^[^\\u0000-\\u001f\\u007f ]([^\\u0000-\\u001f\\u007f]*[^\\u0000-\\u001f\\u007f ])?$",
        "type": "string"
       },
       {
        "type": "null"
       }
      ]
     },
     "person_id": {
      "anyOf": [
       {
        "maxLength": 128,
        "minLength": 1,
        "pattern": "^[^\\u0000-\\u001f\\u007f ]([^\\u0000-\\u001f\\u007f]*[^\\u0000-\\u001f\\u007f ])?$",
        "type": "string"
       },
       {
        "type": "null"
       }
      ]
     },
     "pool": {
      "anyOf": [
       {
        "enum": [
         "everyone",
         "applicants"
        ],
        "type": "string"
       },
       {
        "type": "null"
       }
      ]
     }
    },
    "type": "object"
   },
   "Recommendations": {
    "additionalProperties": false,
    "properties": {
     "answered_by": {
      "items": {
       "type": "string"
      },
      "type": "array"
     },
     "cached": {
      "description": "True when the list was not scored for this request: found in the cache (warmed or asked before), or scored once for an identical request at the same time.",
      "type": "boolean"
     },
     "candidates": {
      "type": "integer"
     },
     "fallbacks": {
      "items": {
       "$ref": "#/components/schemas/Fallback"
      },
      "type": "array"
     },
     "filtered": {
      "additionalProperties": {
       "type": "integer"
      },
      "type": "object"
     },
     "items": {
      "items": {
       "$ref": "#/components/schemas/RecommendedItem"
      },
      "type": "array"
     },
     "mode": {
      "type": "string"
     },
     "model_version": {
      "type": "string"
     },
     "notice": {
      "type": "string"
     },
     "recommendation_id": {
      "type": "string"
     },
     "stale": {
      "description": "True when the subject was written since the engine that answered was built: the build that includes the write took longer than the service's fresh_wait. Ask again shortly for an answer that includes it.",
      "type": "boolean"
     },
     "subject": {
      "$ref": "#/components/schemas/Subject"
     }
    },
    "required": [
     "recommendation_id",
     "subject",
     "mode",
     "answered_by",
     "fallbacks",
     "candidates",
     "filtered",
     "cached",
     "stale",
     "items"
    ],
    "type": "object"
   },
   "RecommendedItem": {
    "additionalProperties": false,
    "properties": {
     "adjustment": {
      "type": "number"
     },
     "assumptions": {
      "items": {
       "type": "string"
      },
      "type": "array"
     },
     "breakdown": {
      "items": {
       "$ref": "#/components/schemas/ScorePart"
      },
      "type": "array"
     },
     "id": {
      "type": "string"
     },
     "rank": {
      "type": "integer"
     },
     "reasons": {
      "items": {
       "type": "string"
      },
      "type": "array"
     },
     "score": {
      "type": "number"
     },
     "suggested_bid": {
      "$ref": "#/components/schemas/BidSuggestion"
     },
     "title": {
      "type": "string"
     }
    },
    "required": [
     "rank",
     "id",
     "score",
     "breakdown",
     "adjustment"
    ],
    "type": "object"
   },
   "Retraction": {
    "additionalProperties": false,
    "properties": {
     "appended": {
      "type": "boolean"
     },
     "retracted": {
      "$ref": "#/components/schemas/Event"
     },
     "retracted_at": {
      "type": "string"
     }
    },
    "required": [
     "retracted",
     "retracted_at",
     "appended"
    ],
    "type": "object"
   },
   "RetrainRequest": {
    "additionalProperties": false,
    "properties": {
     "models": {
      "description": "The models to retrain; null or absent: neural and als.",
      "oneOf": [
       {
        "items": {
         "enum": [
          "neural",
          "als",
          "bpr",
          "item-knn",
          "mf"
         ],
         "type": "string"
        },
        "minItems": 1,
        "type": "array"
       },
       {
        "type": "null"
       }
      ]
     }
    },
    "type": "object"
   },
   "RetrainResponse": {
    "additionalProperties": false,
    "properties": {
     "accepted": {
      "type": "boolean"
     },
     "retrain": {
      "$ref": "#/components/schemas/RetrainStatus"
     }
    },
    "required": [
     "accepted",
     "retrain"
    ],
    "type": "object"
   },
   "RetrainStatus": {
    "additionalProperties": false,
    "properties": {
     "error": {
      "type": "string"
     },
     "finished_at": {
      "type": "string"
     },
     "models": {
      "items": {
       "type": "string"
      },
      "type": "array"
     },
     "seconds": {
      "type": "number"
     },
     "stage": {
      "type": "string"
     },
     "started_at": {
      "type": "string"
     },
     "state": {
      "enum": [
       "idle",
       "running",
       "succeeded",
       "failed"
      ],
      "type": "string"
     },
     "versions": {
      "items": {
       "type": "string"
      },
      "type": "array"
     }
    },
    "required": [
     "state",
     "models",
     "versions"
    ],
    "type": "object"
   },
   "ScorePart": {
    "additionalProperties": false,
    "properties": {
     "assumed": {
      "type": "boolean"
     },
     "component": {
      "type": "string"
     },
     "parts": {
      "items": {
       "$ref": "#/components/schemas/ScorePart"
      },
      "type": "array"
     },
     "points": {
      "type": "number"
     },
     "value": {
      "type": "number"
     },
     "weight": {
      "type": "number"
     }
    },
    "required": [
     "component",
     "value",
     "weight",
     "points",
     "assumed",
     "parts"
    ],
    "type": "object"
   },
   "ServedItem": {
    "additionalProperties": false,
    "properties": {
     "breakdown": {
      "items": {
       "$ref": "#/components/schemas/ScorePart"
      },
      "type": "array"
     },
     "id": {
      "type": "string"
     },
     "rank": {
      "type": "integer"
     },
     "score": {
      "type": "number"
     }
    },
    "required": [
     "id",
     "rank",
     "score",
     "breakdown"
    ],
    "type": "object"
   },
   "ServedList": {
    "additionalProperties": false,
    "properties": {
     "answered_by": {
      "items": {
       "type": "string"
      },
      "type": "array"
     },
     "id": {
      "type": "string"
     },
     "items": {
      "items": {
       "$ref": "#/components/schemas/ServedItem"
      },
      "type": "array"
     },
     "key_id": {
      "type": "string"
     },
     "mode": {
      "type": "string"
     },
     "model_version": {
      "type": "string"
     },
     "request_id": {
      "type": "string"
     },
     "served_at": {
      "type": "integer"
     },
     "subject": {
      "$ref": "#/components/schemas/Subject"
     }
    },
    "required": [
     "id",
     "subject",
     "mode",
     "answered_by",
     "served_at",
     "items"
    ],
    "type": "object"
   },
   "ServedListDetail": {
    "additionalProperties": false,
    "properties": {
     "feedback": {
      "items": {
       "$ref": "#/components/schemas/Feedback"
      },
      "type": "array"
     },
     "list": {
      "$ref": "#/components/schemas/ServedList"
     },
     "outcomes": {
      "items": {
       "$ref": "#/components/schemas/Outcome"
      },
      "type": "array"
     }
    },
    "required": [
     "list",
     "outcomes",
     "feedback"
    ],
    "type": "object"
   },
   "ServedListPage": {
    "additionalProperties": false,
    "properties": {
     "items": {
      "items": {
       "$ref": "#/components/schemas/ServedList"
      },
      "type": "array"
     },
     "next_cursor": {
      "type": [
       "string",
       "null"
      ]
     }
    },
    "required": [
     "items",
     "next_cursor"
    ],
    "type": "object"
   },
   "SimilarItem": {
    "additionalProperties": false,
    "properties": {
     "basis": {
      "type": "string"
     },
     "id": {
      "type": "string"
     },
     "reason": {
      "type": "string"
     },
     "shared": {
      "type": "integer"
     },
     "similarity": {
      "type": "number"
     },
     "title": {
      "type": "string"
     }
    },
    "required": [
     "id",
     "similarity",
     "basis",
     "shared",
     "reason"
    ],
    "type": "object"
   },
   "SimilarItems": {
    "additionalProperties": false,
    "properties": {
     "items": {
      "items": {
       "$ref": "#/components/schemas/SimilarItem"
      },
      "type": "array"
     },
     "notice": {
      "type": "string"
     },
     "stale": {
      "description": "True when the subject was written since the engine that answered was built (see Recommendations.stale).",
      "type": "boolean"
     },
     "subject": {
      "$ref": "#/components/schemas/Subject"
     }
    },
    "required": [
     "subject",
     "items",
     "stale"
    ],
    "type": "object"
   },
   "Subject": {
    "additionalProperties": false,
    "properties": {
     "id": {
      "type": "string"
     },
     "kind": {
      "enum": [
       "person",
       "opportunity"
      ],
      "type": "string"
     }
    },
    "required": [
     "kind",
     "id"
    ],
    "type": "object"
   },
   "WriteSummary": {
    "additionalProperties": false,
    "properties": {
     "inserted": {
      "type": "integer"
     },
     "unchanged": {
      "type": "integer"
     },
     "updated": {
      "type": "integer"
     }
    },
    "required": [
     "inserted",
     "updated",
     "unchanged"
    ],
    "type": "object"
   }
  },
  "securitySchemes": {
   "apiKey": {
    "in": "header",
    "name": "X-API-Key",
    "type": "apiKey"
   },
   "bearer": {
    "scheme": "bearer",
    "type": "http"
   }
  }
 },
 "info": {
  "description": "Recommendations for work marketplaces: people to work and work to people, explained. Errors are {code, message, field}.",
  "title": "Matchwork",
  "version": "1.0.0"
 },
 "openapi": "3.1.0",
 "paths": {
  "/api/v1/events": {
   "get": {
    "description": "Needs a key with the read role (or higher).",
    "parameters": [
     {
      "description": "Records per page.",
      "in": "query",
      "name": "limit",
      "required": false,
      "schema": {
       "default": 100,
       "maximum": 1000,
       "minimum": 1,
       "type": "integer"
      }
     },
     {
      "description": "The next_cursor of the previous page.",
      "in": "query",
      "name": "cursor",
      "required": false,
      "schema": {
       "pattern": "^[0-9]{1,18}$",
       "type": "string"
      }
     },
     {
      "description": "Only this person's.",
      "in": "query",
      "name": "person_id",
      "required": false,
      "schema": {
       "maxLength": 128,
       "minLength": 1,
       "pattern": "^[^\\u0000-\\u001f\\u007f ]([^\\u0000-\\u001f\\u007f]*[^\\u0000-\\u001f\\u007f ])?$",
       "type": "string"
      }
     },
     {
      "description": "Only this opportunity's.",
      "in": "query",
      "name": "opportunity_id",
      "required": false,
      "schema": {
       "maxLength": 128,
       "minLength": 1,
       "pattern": "^[^\\u0000-\\u001f\\u007f ]([^\\u0000-\\u001f\\u007f]*[^\\u0000-\\u001f\\u007f ])?$",
       "type": "string"
      }
     }
    ],
    "responses": {
     "200": {
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/EventPage"
        }
       }
      },
      "description": "A page."
     },
     "400": {
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      },
      "description": "The body or a query parameter breaks the schema (unknown member, wrong type, missing member, malformed JSON)."
     },
     "401": {
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      },
      "description": "No API key, or an unknown or revoked one."
     },
     "403": {
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      },
      "description": "The key's role does not allow this route."
     },
     "413": {
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      },
      "description": "The body is larger than the service accepts."
     },
     "422": {
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      },
      "description": "A value is out of range or refers to something that does not exist."
     },
     "429": {
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      },
      "description": "The key is over its rate limit; see Retry-After."
     },
     "503": {
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      },
      "description": "The store cannot answer."
     }
    },
    "security": [
     {
      "apiKey": []
     },
     {
      "bearer": []
     }
    ],
    "summary": "Events, optionally of one person or opportunity."
   },
   "post": {
    "description": "Needs a key with the write role (or higher).",
    "requestBody": {
     "content": {
      "application/json": {
       "schema": {
        "oneOf": [
         {
          "$ref": "#/components/schemas/EventInput"
         },
         {
          "$ref": "#/components/schemas/EventBatch"
         }
        ]
       }
      }
     },
     "required": true
    },
    "responses": {
     "200": {
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/EventSummary"
        }
       }
      },
      "description": "Nothing new (every event id was already stored)."
     },
     "201": {
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/EventSummary"
        }
       }
      },
      "description": "Stored."
     },
     "400": {
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      },
      "description": "The body or a query parameter breaks the schema (unknown member, a member named twice, wrong type, missing member, malformed JSON)."
     },
     "401": {
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      },
      "description": "No API key, or an unknown or revoked one."
     },
     "403": {
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      },
      "description": "The key's role does not allow this route."
     },
     "413": {
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      },
      "description": "The body is larger than the service accepts."
     },
     "415": {
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      },
      "description": "The body is sent with a Content-Type other than application/json."
     },
     "422": {
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      },
      "description": "A value is out of range or refers to something that does not exist."
     },
     "429": {
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      },
      "description": "The key is over its rate limit; see Retry-After."
     },
     "503": {
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      },
      "description": "The store cannot answer."
     }
    },
    "security": [
     {
      "apiKey": []
     },
     {
      "bearer": []
     }
    ],
    "summary": "Record one event or a batch of up to 10,000: a 2xx means committed; a repeated event id is ignored."
   }
  },
  "/api/v1/events/{id}": {
   "delete": {
    "description": "Needs a key with the admin role (or higher). Withdraws an event recorded by mistake by appending a retract event that names it: the log stays append-only, and the engine's snapshots and training leave both out.",
    "responses": {
     "200": {
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Retraction"
        }
       }
      },
      "description": "Retracted: appended is false when the event had been retracted before (nothing was appended)."
     },
     "400": {
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      },
      "description": "A query parameter breaks the schema, or the path's id is malformed."
     },
     "401": {
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      },
      "description": "No API key, or an unknown or revoked one."
     },
     "403": {
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      },
      "description": "The key's role does not allow this route."
     },
     "404": {
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      },
      "description": "No event was stored with this event_id (events sent without one cannot be named)."
     },
     "409": {
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      },
      "description": "The event is itself a retraction; send the withdrawn event again with a new event_id to restore it."
     },
     "422": {
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      },
      "description": "The id cannot be an event id (see EventInput.event_id)."
     },
     "429": {
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      },
      "description": "The key is over its rate limit; see Retry-After."
     },
     "503": {
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      },
      "description": "The store cannot answer."
     }
    },
    "security": [
     {
      "apiKey": []
     },
     {
      "bearer": []
     }
    ]
   },
   "parameters": [
    {
     "description": "The event_id the event was sent with, percent-encoded.",
     "in": "path",
     "name": "id",
     "required": true,
     "schema": {
      "maxLength": 128,
      "minLength": 1,
      "pattern": "^[^\\u0000-\\u001f\\u007f ]([^\\u0000-\\u001f\\u007f]*[^\\u0000-\\u001f\\u007f ])?$",
      "type": "string"
     }
    }
   ]
  },
  "/api/v1/feedback": {
   "get": {
    "description": "Needs a key with the read role (or higher).",
    "parameters": [
     {
      "description": "Records per page.",
      "in": "query",
      "name": "limit",
      "required": false,
      "schema": {
       "default": 100,
       "maximum": 1000,
       "minimum": 1,
       "type": "integer"
      }
     },
     {
      "description": "The next_cursor of the previous page.",
      "in": "query",
      "name": "cursor",
      "required": false,
      "schema": {
       "pattern": "^[0-9]{1,18}$",
       "type": "string"
      }
     },
     {
      "description": "Only this list's.",
      "in": "query",
      "name": "recommendation_id",
      "required": false,
      "schema": {
       "maxLength": 128,
       "minLength": 1,
       "pattern": "^[^\\u0000-\\u001f\\u007f ]([^\\u0000-\\u001f\\u007f]*[^\\u0000-\\u001f\\u007f ])?$",
       "type": "string"
      }
     }
    ],
    "responses": {
     "200": {
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/FeedbackPage"
        }
       }
      },
      "description": "A page."
     },
     "400": {
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      },
      "description": "The body or a query parameter breaks the schema (unknown member, wrong type, missing member, malformed JSON)."
     },
     "401": {
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      },
      "description": "No API key, or an unknown or revoked one."
     },
     "403": {
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      },
      "description": "The key's role does not allow this route."
     },
     "413": {
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      },
      "description": "The body is larger than the service accepts."
     },
     "422": {
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      },
      "description": "A value is out of range or refers to something that does not exist."
     },
     "429": {
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      },
      "description": "The key is over its rate limit; see Retry-After."
     },
     "503": {
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      },
      "description": "The store cannot answer."
     }
    },
    "security": [
     {
      "apiKey": []
     },
     {
      "bearer": []
     }
    ],
    "summary": "Feedback, optionally on one served list."
   },
   "post": {
    "description": "Needs a key with the write role (or higher).",
    "requestBody": {
     "content": {
      "application/json": {
       "schema": {
        "$ref": "#/components/schemas/FeedbackInput"
       }
      }
     },
     "required": true
    },
    "responses": {
     "200": {
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/FeedbackResponse"
        }
       }
      },
      "description": "Already recorded."
     },
     "201": {
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/FeedbackResponse"
        }
       }
      },
      "description": "Recorded."
     },
     "400": {
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      },
      "description": "The body or a query parameter breaks the schema (unknown member, a member named twice, wrong type, missing member, malformed JSON)."
     },
     "401": {
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      },
      "description": "No API key, or an unknown or revoked one."
     },
     "403": {
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      },
      "description": "The key's role does not allow this route."
     },
     "404": {
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      },
      "description": "No such record."
     },
     "413": {
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      },
      "description": "The body is larger than the service accepts."
     },
     "415": {
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      },
      "description": "The body is sent with a Content-Type other than application/json."
     },
     "422": {
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      },
      "description": "A value is out of range or refers to something that does not exist."
     },
     "429": {
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      },
      "description": "The key is over its rate limit; see Retry-After."
     },
     "503": {
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      },
      "description": "The store cannot answer."
     }
    },
    "security": [
     {
      "apiKey": []
     },
     {
      "bearer": []
     }
    ],
    "summary": "Record explicit feedback on a person and an opportunity (also stored as a feedback event)."
   }
  },
  "/api/v1/keys": {
   "get": {
    "description": "Needs a key with the admin role (or higher).",
    "responses": {
     "200": {
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/KeyList"
        }
       }
      },
      "description": "Keys."
     },
     "400": {
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      },
      "description": "The body or a query parameter breaks the schema (unknown member, wrong type, missing member, malformed JSON)."
     },
     "401": {
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      },
      "description": "No API key, or an unknown or revoked one."
     },
     "403": {
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      },
      "description": "The key's role does not allow this route."
     },
     "413": {
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      },
      "description": "The body is larger than the service accepts."
     },
     "422": {
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      },
      "description": "A value is out of range or refers to something that does not exist."
     },
     "429": {
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      },
      "description": "The key is over its rate limit; see Retry-After."
     },
     "503": {
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      },
      "description": "The store cannot answer."
     }
    },
    "security": [
     {
      "apiKey": []
     },
     {
      "bearer": []
     }
    ],
    "summary": "API keys, without secrets."
   },
   "post": {
    "description": "Needs a key with the admin role (or higher).",
    "requestBody": {
     "content": {
      "application/json": {
       "schema": {
        "$ref": "#/components/schemas/KeyInput"
       }
      }
     },
     "required": true
    },
    "responses": {
     "201": {
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/CreatedKey"
        }
       }
      },
      "description": "Created."
     },
     "400": {
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      },
      "description": "The body or a query parameter breaks the schema (unknown member, a member named twice, wrong type, missing member, malformed JSON)."
     },
     "401": {
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      },
      "description": "No API key, or an unknown or revoked one."
     },
     "403": {
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      },
      "description": "The key's role does not allow this route."
     },
     "413": {
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      },
      "description": "The body is larger than the service accepts."
     },
     "415": {
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      },
      "description": "The body is sent with a Content-Type other than application/json."
     },
     "422": {
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      },
      "description": "A value is out of range or refers to something that does not exist."
     },
     "429": {
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      },
      "description": "The key is over its rate limit; see Retry-After."
     },
     "503": {
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      },
      "description": "The store cannot answer."
     }
    },
    "security": [
     {
      "apiKey": []
     },
     {
      "bearer": []
     }
    ],
    "summary": "Create a key; its secret is in this answer only."
   }
  },
  "/api/v1/keys/{id}": {
   "delete": {
    "description": "Needs a key with the admin role (or higher).",
    "responses": {
     "204": {
      "description": "Revoked."
     },
     "400": {
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      },
      "description": "The body or a query parameter breaks the schema (unknown member, wrong type, missing member, malformed JSON)."
     },
     "401": {
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      },
      "description": "No API key, or an unknown or revoked one."
     },
     "403": {
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      },
      "description": "The key's role does not allow this route."
     },
     "404": {
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      },
      "description": "No such record."
     },
     "409": {
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      },
      "description": "The request conflicts with the stored state."
     },
     "413": {
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      },
      "description": "The body is larger than the service accepts."
     },
     "422": {
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      },
      "description": "A value is out of range or refers to something that does not exist."
     },
     "429": {
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      },
      "description": "The key is over its rate limit; see Retry-After."
     },
     "503": {
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      },
      "description": "The store cannot answer."
     }
    },
    "security": [
     {
      "apiKey": []
     },
     {
      "bearer": []
     }
    ],
    "summary": "Revoke a key (not the key of the request: 409)."
   },
   "parameters": [
    {
     "description": "The key's id (key-\u2026).",
     "in": "path",
     "name": "id",
     "required": true,
     "schema": {
      "maxLength": 128,
      "minLength": 1,
      "pattern": "^[^\\u0000-\\u001f\\u007f ]([^\\u0000-\\u001f\\u007f]*[^\\u0000-\\u001f\\u007f ])?$",
      "type": "string"
     }
    }
   ]
  },
  "/api/v1/models/retrain": {
   "post": {
    "description": "Needs a key with the admin role (or higher).",
    "requestBody": {
     "content": {
      "application/json": {
       "schema": {
        "$ref": "#/components/schemas/RetrainRequest"
       }
      }
     },
     "required": false
    },
    "responses": {
     "202": {
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/RetrainResponse"
        }
       }
      },
      "description": "Started."
     },
     "400": {
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      },
      "description": "The body or a query parameter breaks the schema (unknown member, a member named twice, wrong type, missing member, malformed JSON)."
     },
     "401": {
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      },
      "description": "No API key, or an unknown or revoked one."
     },
     "403": {
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      },
      "description": "The key's role does not allow this route."
     },
     "409": {
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      },
      "description": "The request conflicts with the stored state."
     },
     "413": {
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      },
      "description": "The body is larger than the service accepts."
     },
     "415": {
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      },
      "description": "The body is sent with a Content-Type other than application/json."
     },
     "422": {
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      },
      "description": "A value is out of range or refers to something that does not exist."
     },
     "429": {
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      },
      "description": "The key is over its rate limit; see Retry-After."
     },
     "503": {
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      },
      "description": "The store cannot answer."
     }
    },
    "security": [
     {
      "apiKey": []
     },
     {
      "bearer": []
     }
    ],
    "summary": "Retrain in the background (default neural and als); the new models serve once they pass their checks."
   }
  },
  "/api/v1/models/status": {
   "get": {
    "description": "Needs a key with the read role (or higher).",
    "responses": {
     "200": {
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/ModelsStatus"
        }
       }
      },
      "description": "Status."
     },
     "400": {
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      },
      "description": "The body or a query parameter breaks the schema (unknown member, wrong type, missing member, malformed JSON)."
     },
     "401": {
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      },
      "description": "No API key, or an unknown or revoked one."
     },
     "403": {
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      },
      "description": "The key's role does not allow this route."
     },
     "413": {
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      },
      "description": "The body is larger than the service accepts."
     },
     "422": {
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      },
      "description": "A value is out of range or refers to something that does not exist."
     },
     "429": {
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      },
      "description": "The key is over its rate limit; see Retry-After."
     },
     "503": {
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      },
      "description": "The store cannot answer."
     }
    },
    "security": [
     {
      "apiKey": []
     },
     {
      "bearer": []
     }
    ],
    "summary": "The registry's models, which serve, and the retrain's progress."
   }
  },
  "/api/v1/openapi.json": {
   "get": {
    "responses": {
     "200": {
      "content": {
       "application/json": {
        "schema": {
         "type": "object"
        }
       }
      },
      "description": "OpenAPI 3.1."
     }
    },
    "summary": "This document."
   }
  },
  "/api/v1/opportunities": {
   "get": {
    "description": "Needs a key with the read role (or higher).",
    "parameters": [
     {
      "description": "Records per page.",
      "in": "query",
      "name": "limit",
      "required": false,
      "schema": {
       "default": 100,
       "maximum": 1000,
       "minimum": 1,
       "type": "integer"
      }
     },
     {
      "description": "The next_cursor of the previous page.",
      "in": "query",
      "name": "cursor",
      "required": false,
      "schema": {
       "pattern": "^[0-9]{1,18}$",
       "type": "string"
      }
     },
     {
      "description": "Only this kind.",
      "in": "query",
      "name": "kind",
      "required": false,
      "schema": {
       "enum": [
        "mission",
        "job",
        "course",
        "posting"
       ],
       "type": "string"
      }
     },
     {
      "description": "Only this status.",
      "in": "query",
      "name": "status",
      "required": false,
      "schema": {
       "enum": [
        "open",
        "filled",
        "closed"
       ],
       "type": "string"
      }
     },
     {
      "description": "Only this client's.",
      "in": "query",
      "name": "client_id",
      "required": false,
      "schema": {
       "maxLength": 128,
       "minLength": 1,
       "pattern": "^[^\\u0000-\\u001f\\u007f ]([^\\u0000-\\u001f\\u007f]*[^\\u0000-\\u001f\\u007f ])?$",
       "type": "string"
      }
     }
    ],
    "responses": {
     "200": {
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/OpportunityPage"
        }
       }
      },
      "description": "A page."
     },
     "400": {
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      },
      "description": "The body or a query parameter breaks the schema (unknown member, wrong type, missing member, malformed JSON)."
     },
     "401": {
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      },
      "description": "No API key, or an unknown or revoked one."
     },
     "403": {
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      },
      "description": "The key's role does not allow this route."
     },
     "413": {
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      },
      "description": "The body is larger than the service accepts."
     },
     "422": {
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      },
      "description": "A value is out of range or refers to something that does not exist."
     },
     "429": {
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      },
      "description": "The key is over its rate limit; see Retry-After."
     },
     "503": {
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      },
      "description": "The store cannot answer."
     }
    },
    "security": [
     {
      "apiKey": []
     },
     {
      "bearer": []
     }
    ],
    "summary": "List opportunities in insertion order."
   },
   "post": {
    "description": "Needs a key with the write role (or higher).",
    "requestBody": {
     "content": {
      "application/json": {
       "schema": {
        "oneOf": [
         {
          "$ref": "#/components/schemas/OpportunityInput"
         },
         {
          "$ref": "#/components/schemas/OpportunityBulk"
         }
        ]
       }
      }
     },
     "required": true
    },
    "responses": {
     "200": {
      "content": {
       "application/json": {
        "schema": {
         "oneOf": [
          {
           "$ref": "#/components/schemas/Opportunity"
          },
          {
           "$ref": "#/components/schemas/WriteSummary"
          }
         ]
        }
       }
      },
      "description": "Replaced (one) or written (many)."
     },
     "201": {
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Opportunity"
        }
       }
      },
      "description": "Created."
     },
     "400": {
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      },
      "description": "The body or a query parameter breaks the schema (unknown member, a member named twice, wrong type, missing member, malformed JSON)."
     },
     "401": {
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      },
      "description": "No API key, or an unknown or revoked one."
     },
     "403": {
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      },
      "description": "The key's role does not allow this route."
     },
     "413": {
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      },
      "description": "The body is larger than the service accepts."
     },
     "415": {
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      },
      "description": "The body is sent with a Content-Type other than application/json."
     },
     "422": {
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      },
      "description": "A value is out of range or refers to something that does not exist."
     },
     "429": {
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      },
      "description": "The key is over its rate limit; see Retry-After."
     },
     "503": {
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      },
      "description": "The store cannot answer."
     }
    },
    "security": [
     {
      "apiKey": []
     },
     {
      "bearer": []
     }
    ],
    "summary": "Create or replace an opportunity, or many ({\"opportunities\": [...]}, all or nothing)."
   }
  },
  "/api/v1/opportunities/{id}": {
   "delete": {
    "description": "Needs a key with the write role (or higher).",
    "responses": {
     "204": {
      "description": "Deleted."
     },
     "400": {
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      },
      "description": "The body or a query parameter breaks the schema (unknown member, wrong type, missing member, malformed JSON)."
     },
     "401": {
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      },
      "description": "No API key, or an unknown or revoked one."
     },
     "403": {
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      },
      "description": "The key's role does not allow this route."
     },
     "404": {
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      },
      "description": "No such record."
     },
     "409": {
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      },
      "description": "The request conflicts with the stored state."
     },
     "413": {
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      },
      "description": "The body is larger than the service accepts."
     },
     "422": {
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      },
      "description": "A value is out of range or refers to something that does not exist."
     },
     "429": {
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      },
      "description": "The key is over its rate limit; see Retry-After."
     },
     "503": {
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      },
      "description": "The store cannot answer."
     }
    },
    "security": [
     {
      "apiKey": []
     },
     {
      "bearer": []
     }
    ],
    "summary": "Delete an opportunity that has no events."
   },
   "get": {
    "description": "Needs a key with the read role (or higher).",
    "responses": {
     "200": {
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Opportunity"
        }
       }
      },
      "description": "The opportunity."
     },
     "400": {
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      },
      "description": "The body or a query parameter breaks the schema (unknown member, wrong type, missing member, malformed JSON)."
     },
     "401": {
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      },
      "description": "No API key, or an unknown or revoked one."
     },
     "403": {
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      },
      "description": "The key's role does not allow this route."
     },
     "404": {
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      },
      "description": "No such record."
     },
     "413": {
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      },
      "description": "The body is larger than the service accepts."
     },
     "422": {
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      },
      "description": "A value is out of range or refers to something that does not exist."
     },
     "429": {
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      },
      "description": "The key is over its rate limit; see Retry-After."
     },
     "503": {
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      },
      "description": "The store cannot answer."
     }
    },
    "security": [
     {
      "apiKey": []
     },
     {
      "bearer": []
     }
    ],
    "summary": "An opportunity."
   },
   "parameters": [
    {
     "description": "The opportunity's id.",
     "in": "path",
     "name": "id",
     "required": true,
     "schema": {
      "maxLength": 128,
      "minLength": 1,
      "pattern": "^[^\\u0000-\\u001f\\u007f ]([^\\u0000-\\u001f\\u007f]*[^\\u0000-\\u001f\\u007f ])?$",
      "type": "string"
     }
    }
   ],
   "patch": {
    "description": "Needs a key with the write role (or higher).",
    "requestBody": {
     "content": {
      "application/json": {
       "schema": {
        "$ref": "#/components/schemas/OpportunityPatch"
       }
      }
     },
     "required": true
    },
    "responses": {
     "200": {
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Opportunity"
        }
       }
      },
      "description": "The changed opportunity."
     },
     "400": {
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      },
      "description": "The body or a query parameter breaks the schema (unknown member, a member named twice, wrong type, missing member, malformed JSON)."
     },
     "401": {
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      },
      "description": "No API key, or an unknown or revoked one."
     },
     "403": {
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      },
      "description": "The key's role does not allow this route."
     },
     "404": {
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      },
      "description": "No such record."
     },
     "413": {
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      },
      "description": "The body is larger than the service accepts."
     },
     "415": {
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      },
      "description": "The body is sent with a Content-Type other than application/json."
     },
     "422": {
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      },
      "description": "A value is out of range or refers to something that does not exist."
     },
     "429": {
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      },
      "description": "The key is over its rate limit; see Retry-After."
     },
     "503": {
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      },
      "description": "The store cannot answer."
     }
    },
    "security": [
     {
      "apiKey": []
     },
     {
      "bearer": []
     }
    ],
    "summary": "Change an opportunity's fields (JSON merge patch: null removes)."
   }
  },
  "/api/v1/opportunities/{id}/similar": {
   "get": {
    "description": "Needs a key with the read role (or higher).",
    "parameters": [
     {
      "description": "How many.",
      "in": "query",
      "name": "count",
      "required": false,
      "schema": {
       "maximum": 1000,
       "minimum": 1,
       "type": "integer"
      }
     },
     {
      "description": "Include closed and filled ones.",
      "in": "query",
      "name": "include_closed",
      "required": false,
      "schema": {
       "type": "boolean"
      }
     }
    ],
    "responses": {
     "200": {
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/SimilarItems"
        }
       }
      },
      "description": "Similar opportunities."
     },
     "400": {
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      },
      "description": "The body or a query parameter breaks the schema (unknown member, wrong type, missing member, malformed JSON)."
     },
     "401": {
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      },
      "description": "No API key, or an unknown or revoked one."
     },
     "403": {
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      },
      "description": "The key's role does not allow this route."
     },
     "404": {
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      },
      "description": "No such record."
     },
     "413": {
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      },
      "description": "The body is larger than the service accepts."
     },
     "422": {
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      },
      "description": "A value is out of range or refers to something that does not exist."
     },
     "429": {
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      },
      "description": "The key is over its rate limit; see Retry-After."
     },
     "503": {
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      },
      "description": "The store cannot answer."
     }
    },
    "security": [
     {
      "apiKey": []
     },
     {
      "bearer": []
     }
    ],
    "summary": "Opportunities most like this one."
   },
   "parameters": [
    {
     "description": "The opportunity's id.",
     "in": "path",
     "name": "id",
     "required": true,
     "schema": {
      "maxLength": 128,
      "minLength": 1,
      "pattern": "^[^\\u0000-\\u001f\\u007f ]([^\\u0000-\\u001f\\u007f]*[^\\u0000-\\u001f\\u007f ])?$",
      "type": "string"
     }
    }
   ]
  },
  "/api/v1/outcomes": {
   "get": {
    "description": "Needs a key with the read role (or higher).",
    "parameters": [
     {
      "description": "Records per page.",
      "in": "query",
      "name": "limit",
      "required": false,
      "schema": {
       "default": 100,
       "maximum": 1000,
       "minimum": 1,
       "type": "integer"
      }
     },
     {
      "description": "The next_cursor of the previous page.",
      "in": "query",
      "name": "cursor",
      "required": false,
      "schema": {
       "pattern": "^[0-9]{1,18}$",
       "type": "string"
      }
     },
     {
      "description": "Only this list's.",
      "in": "query",
      "name": "recommendation_id",
      "required": false,
      "schema": {
       "maxLength": 128,
       "minLength": 1,
       "pattern": "^[^\\u0000-\\u001f\\u007f ]([^\\u0000-\\u001f\\u007f]*[^\\u0000-\\u001f\\u007f ])?$",
       "type": "string"
      }
     }
    ],
    "responses": {
     "200": {
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/OutcomePage"
        }
       }
      },
      "description": "A page."
     },
     "400": {
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      },
      "description": "The body or a query parameter breaks the schema (unknown member, wrong type, missing member, malformed JSON)."
     },
     "401": {
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      },
      "description": "No API key, or an unknown or revoked one."
     },
     "403": {
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      },
      "description": "The key's role does not allow this route."
     },
     "413": {
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      },
      "description": "The body is larger than the service accepts."
     },
     "422": {
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      },
      "description": "A value is out of range or refers to something that does not exist."
     },
     "429": {
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      },
      "description": "The key is over its rate limit; see Retry-After."
     },
     "503": {
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      },
      "description": "The store cannot answer."
     }
    },
    "security": [
     {
      "apiKey": []
     },
     {
      "bearer": []
     }
    ],
    "summary": "Outcomes, optionally of one served list."
   }
  },
  "/api/v1/people": {
   "get": {
    "description": "Needs a key with the read role (or higher).",
    "parameters": [
     {
      "description": "Records per page.",
      "in": "query",
      "name": "limit",
      "required": false,
      "schema": {
       "default": 100,
       "maximum": 1000,
       "minimum": 1,
       "type": "integer"
      }
     },
     {
      "description": "The next_cursor of the previous page.",
      "in": "query",
      "name": "cursor",
      "required": false,
      "schema": {
       "pattern": "^[0-9]{1,18}$",
       "type": "string"
      }
     },
     {
      "description": "Only this role.",
      "in": "query",
      "name": "role",
      "required": false,
      "schema": {
       "enum": [
        "worker",
        "learner",
        "client"
       ],
       "type": "string"
      }
     }
    ],
    "responses": {
     "200": {
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/PersonPage"
        }
       }
      },
      "description": "A page."
     },
     "400": {
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      },
      "description": "The body or a query parameter breaks the schema (unknown member, wrong type, missing member, malformed JSON)."
     },
     "401": {
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      },
      "description": "No API key, or an unknown or revoked one."
     },
     "403": {
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      },
      "description": "The key's role does not allow this route."
     },
     "413": {
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      },
      "description": "The body is larger than the service accepts."
     },
     "422": {
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      },
      "description": "A value is out of range or refers to something that does not exist."
     },
     "429": {
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      },
      "description": "The key is over its rate limit; see Retry-After."
     },
     "503": {
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      },
      "description": "The store cannot answer."
     }
    },
    "security": [
     {
      "apiKey": []
     },
     {
      "bearer": []
     }
    ],
    "summary": "List people in insertion order."
   },
   "post": {
    "description": "Needs a key with the write role (or higher).",
    "requestBody": {
     "content": {
      "application/json": {
       "schema": {
        "oneOf": [
         {
          "$ref": "#/components/schemas/PersonInput"
         },
         {
          "$ref": "#/components/schemas/PersonBulk"
         }
        ]
       }
      }
     },
     "required": true
    },
    "responses": {
     "200": {
      "content": {
       "application/json": {
        "schema": {
         "oneOf": [
          {
           "$ref": "#/components/schemas/Person"
          },
          {
           "$ref": "#/components/schemas/WriteSummary"
          }
         ]
        }
       }
      },
      "description": "Replaced (one) or written (many)."
     },
     "201": {
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Person"
        }
       }
      },
      "description": "Created."
     },
     "400": {
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      },
      "description": "The body or a query parameter breaks the schema (unknown member, a member named twice, wrong type, missing member, malformed JSON)."
     },
     "401": {
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      },
      "description": "No API key, or an unknown or revoked one."
     },
     "403": {
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      },
      "description": "The key's role does not allow this route."
     },
     "413": {
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      },
      "description": "The body is larger than the service accepts."
     },
     "415": {
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      },
      "description": "The body is sent with a Content-Type other than application/json."
     },
     "422": {
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      },
      "description": "A value is out of range or refers to something that does not exist."
     },
     "429": {
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      },
      "description": "The key is over its rate limit; see Retry-After."
     },
     "503": {
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      },
      "description": "The store cannot answer."
     }
    },
    "security": [
     {
      "apiKey": []
     },
     {
      "bearer": []
     }
    ],
    "summary": "Create or replace a person, or many ({\"people\": [...]}, all or nothing)."
   }
  },
  "/api/v1/people/{id}": {
   "delete": {
    "description": "Needs a key with the write role (or higher).",
    "responses": {
     "204": {
      "description": "Deleted."
     },
     "400": {
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      },
      "description": "The body or a query parameter breaks the schema (unknown member, wrong type, missing member, malformed JSON)."
     },
     "401": {
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      },
      "description": "No API key, or an unknown or revoked one."
     },
     "403": {
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      },
      "description": "The key's role does not allow this route."
     },
     "404": {
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      },
      "description": "No such record."
     },
     "409": {
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      },
      "description": "The request conflicts with the stored state."
     },
     "413": {
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      },
      "description": "The body is larger than the service accepts."
     },
     "422": {
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      },
      "description": "A value is out of range or refers to something that does not exist."
     },
     "429": {
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      },
      "description": "The key is over its rate limit; see Retry-After."
     },
     "503": {
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      },
      "description": "The store cannot answer."
     }
    },
    "security": [
     {
      "apiKey": []
     },
     {
      "bearer": []
     }
    ],
    "summary": "Delete a person who has no events and no opportunities."
   },
   "get": {
    "description": "Needs a key with the read role (or higher).",
    "responses": {
     "200": {
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Person"
        }
       }
      },
      "description": "The person."
     },
     "400": {
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      },
      "description": "The body or a query parameter breaks the schema (unknown member, wrong type, missing member, malformed JSON)."
     },
     "401": {
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      },
      "description": "No API key, or an unknown or revoked one."
     },
     "403": {
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      },
      "description": "The key's role does not allow this route."
     },
     "404": {
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      },
      "description": "No such record."
     },
     "413": {
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      },
      "description": "The body is larger than the service accepts."
     },
     "422": {
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      },
      "description": "A value is out of range or refers to something that does not exist."
     },
     "429": {
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      },
      "description": "The key is over its rate limit; see Retry-After."
     },
     "503": {
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      },
      "description": "The store cannot answer."
     }
    },
    "security": [
     {
      "apiKey": []
     },
     {
      "bearer": []
     }
    ],
    "summary": "A person."
   },
   "parameters": [
    {
     "description": "The person's id.",
     "in": "path",
     "name": "id",
     "required": true,
     "schema": {
      "maxLength": 128,
      "minLength": 1,
      "pattern": "^[^\\u0000-\\u001f\\u007f ]([^\\u0000-\\u001f\\u007f]*[^\\u0000-\\u001f\\u007f ])?$",
      "type": "string"
     }
    }
   ],
   "patch": {
    "description": "Needs a key with the write role (or higher).",
    "requestBody": {
     "content": {
      "application/json": {
       "schema": {
        "$ref": "#/components/schemas/PersonPatch"
       }
      }
     },
     "required": true
    },
    "responses": {
     "200": {
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Person"
        }
       }
      },
      "description": "The changed person."
     },
     "400": {
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      },
      "description": "The body or a query parameter breaks the schema (unknown member, a member named twice, wrong type, missing member, malformed JSON)."
     },
     "401": {
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      },
      "description": "No API key, or an unknown or revoked one."
     },
     "403": {
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      },
      "description": "The key's role does not allow this route."
     },
     "404": {
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      },
      "description": "No such record."
     },
     "413": {
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      },
      "description": "The body is larger than the service accepts."
     },
     "415": {
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      },
      "description": "The body is sent with a Content-Type other than application/json."
     },
     "422": {
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      },
      "description": "A value is out of range or refers to something that does not exist."
     },
     "429": {
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      },
      "description": "The key is over its rate limit; see Retry-After."
     },
     "503": {
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      },
      "description": "The store cannot answer."
     }
    },
    "security": [
     {
      "apiKey": []
     },
     {
      "bearer": []
     }
    ],
    "summary": "Change a person's fields (JSON merge patch: null removes)."
   }
  },
  "/api/v1/people/{id}/similar": {
   "get": {
    "description": "Needs a key with the read role (or higher).",
    "parameters": [
     {
      "description": "How many.",
      "in": "query",
      "name": "count",
      "required": false,
      "schema": {
       "maximum": 1000,
       "minimum": 1,
       "type": "integer"
      }
     },
     {
      "description": "Unused for people.",
      "in": "query",
      "name": "include_closed",
      "required": false,
      "schema": {
       "type": "boolean"
      }
     }
    ],
    "responses": {
     "200": {
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/SimilarItems"
        }
       }
      },
      "description": "Similar people."
     },
     "400": {
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      },
      "description": "The body or a query parameter breaks the schema (unknown member, wrong type, missing member, malformed JSON)."
     },
     "401": {
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      },
      "description": "No API key, or an unknown or revoked one."
     },
     "403": {
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      },
      "description": "The key's role does not allow this route."
     },
     "404": {
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      },
      "description": "No such record."
     },
     "413": {
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      },
      "description": "The body is larger than the service accepts."
     },
     "422": {
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      },
      "description": "A value is out of range or refers to something that does not exist."
     },
     "429": {
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      },
      "description": "The key is over its rate limit; see Retry-After."
     },
     "503": {
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      },
      "description": "The store cannot answer."
     }
    },
    "security": [
     {
      "apiKey": []
     },
     {
      "bearer": []
     }
    ],
    "summary": "People most like this one."
   },
   "parameters": [
    {
     "description": "The person's id.",
     "in": "path",
     "name": "id",
     "required": true,
     "schema": {
      "maxLength": 128,
      "minLength": 1,
      "pattern": "^[^\\u0000-\\u001f\\u007f ]([^\\u0000-\\u001f\\u007f]*[^\\u0000-\\u001f\\u007f ])?$",
      "type": "string"
     }
    }
   ]
  },
  "/api/v1/recommendations": {
   "get": {
    "description": "Needs a key with the read role (or higher).",
    "parameters": [
     {
      "description": "Records per page.",
      "in": "query",
      "name": "limit",
      "required": false,
      "schema": {
       "default": 100,
       "maximum": 1000,
       "minimum": 1,
       "type": "integer"
      }
     },
     {
      "description": "The next_cursor of the previous page.",
      "in": "query",
      "name": "cursor",
      "required": false,
      "schema": {
       "pattern": "^[0-9]{1,18}$",
       "type": "string"
      }
     },
     {
      "description": "Lists served for this person.",
      "in": "query",
      "name": "person_id",
      "required": false,
      "schema": {
       "maxLength": 128,
       "minLength": 1,
       "pattern": "^[^\\u0000-\\u001f\\u007f ]([^\\u0000-\\u001f\\u007f]*[^\\u0000-\\u001f\\u007f ])?$",
       "type": "string"
      }
     },
     {
      "description": "Lists served for this opportunity.",
      "in": "query",
      "name": "opportunity_id",
      "required": false,
      "schema": {
       "maxLength": 128,
       "minLength": 1,
       "pattern": "^[^\\u0000-\\u001f\\u007f ]([^\\u0000-\\u001f\\u007f]*[^\\u0000-\\u001f\\u007f ])?$",
       "type": "string"
      }
     }
    ],
    "responses": {
     "200": {
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/ServedListPage"
        }
       }
      },
      "description": "A page."
     },
     "400": {
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      },
      "description": "The body or a query parameter breaks the schema (unknown member, wrong type, missing member, malformed JSON)."
     },
     "401": {
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      },
      "description": "No API key, or an unknown or revoked one."
     },
     "403": {
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      },
      "description": "The key's role does not allow this route."
     },
     "413": {
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      },
      "description": "The body is larger than the service accepts."
     },
     "422": {
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      },
      "description": "A value is out of range or refers to something that does not exist."
     },
     "429": {
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      },
      "description": "The key is over its rate limit; see Retry-After."
     },
     "503": {
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      },
      "description": "The store cannot answer."
     }
    },
    "security": [
     {
      "apiKey": []
     },
     {
      "bearer": []
     }
    ],
    "summary": "Served lists, optionally for one subject."
   }
  },
  "/api/v1/recommendations/batch": {
   "post": {
    "description": "Needs a key with the read role (or higher).",
    "requestBody": {
     "content": {
      "application/json": {
       "schema": {
        "$ref": "#/components/schemas/BatchRequest"
       }
      }
     },
     "required": true
    },
    "responses": {
     "200": {
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/BatchResponse"
        }
       }
      },
      "description": "One result per request."
     },
     "400": {
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      },
      "description": "The body or a query parameter breaks the schema (unknown member, a member named twice, wrong type, missing member, malformed JSON)."
     },
     "401": {
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      },
      "description": "No API key, or an unknown or revoked one."
     },
     "403": {
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      },
      "description": "The key's role does not allow this route."
     },
     "413": {
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      },
      "description": "The body is larger than the service accepts."
     },
     "415": {
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      },
      "description": "The body is sent with a Content-Type other than application/json."
     },
     "422": {
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      },
      "description": "A value is out of range or refers to something that does not exist."
     },
     "429": {
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      },
      "description": "The key is over its rate limit; see Retry-After."
     },
     "503": {
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      },
      "description": "The store cannot answer."
     }
    },
    "security": [
     {
      "apiKey": []
     },
     {
      "bearer": []
     }
    ],
    "summary": "Several lists in one call (up to 100)."
   }
  },
  "/api/v1/recommendations/generate": {
   "post": {
    "description": "Needs a key with the read role (or higher).",
    "requestBody": {
     "content": {
      "application/json": {
       "schema": {
        "$ref": "#/components/schemas/RecommendationRequest"
       }
      }
     },
     "required": true
    },
    "responses": {
     "200": {
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Recommendations"
        }
       }
      },
      "description": "The list."
     },
     "400": {
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      },
      "description": "The body or a query parameter breaks the schema (unknown member, a member named twice, wrong type, missing member, malformed JSON)."
     },
     "401": {
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      },
      "description": "No API key, or an unknown or revoked one."
     },
     "403": {
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      },
      "description": "The key's role does not allow this route."
     },
     "404": {
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      },
      "description": "No such record."
     },
     "413": {
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      },
      "description": "The body is larger than the service accepts."
     },
     "415": {
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      },
      "description": "The body is sent with a Content-Type other than application/json."
     },
     "422": {
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      },
      "description": "A value is out of range or refers to something that does not exist."
     },
     "429": {
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      },
      "description": "The key is over its rate limit; see Retry-After."
     },
     "503": {
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      },
      "description": "The store cannot answer."
     }
    },
    "security": [
     {
      "apiKey": []
     },
     {
      "bearer": []
     }
    ],
    "summary": "Opportunities for a person or people for an opportunity, with score breakdowns; the list is recorded."
   }
  },
  "/api/v1/recommendations/{id}": {
   "get": {
    "description": "Needs a key with the read role (or higher).",
    "responses": {
     "200": {
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/ServedListDetail"
        }
       }
      },
      "description": "The list."
     },
     "400": {
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      },
      "description": "The body or a query parameter breaks the schema (unknown member, wrong type, missing member, malformed JSON)."
     },
     "401": {
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      },
      "description": "No API key, or an unknown or revoked one."
     },
     "403": {
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      },
      "description": "The key's role does not allow this route."
     },
     "404": {
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      },
      "description": "No such record."
     },
     "413": {
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      },
      "description": "The body is larger than the service accepts."
     },
     "422": {
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      },
      "description": "A value is out of range or refers to something that does not exist."
     },
     "429": {
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      },
      "description": "The key is over its rate limit; see Retry-After."
     },
     "503": {
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      },
      "description": "The store cannot answer."
     }
    },
    "security": [
     {
      "apiKey": []
     },
     {
      "bearer": []
     }
    ],
    "summary": "A served list with its outcomes and feedback."
   },
   "parameters": [
    {
     "description": "The recommendation_id of a served list.",
     "in": "path",
     "name": "id",
     "required": true,
     "schema": {
      "maxLength": 128,
      "minLength": 1,
      "pattern": "^[^\\u0000-\\u001f\\u007f ]([^\\u0000-\\u001f\\u007f]*[^\\u0000-\\u001f\\u007f ])?$",
      "type": "string"
     }
    }
   ]
  },
  "/api/v1/recommendations/{id}/outcome": {
   "parameters": [
    {
     "description": "The recommendation_id of a served list.",
     "in": "path",
     "name": "id",
     "required": true,
     "schema": {
      "maxLength": 128,
      "minLength": 1,
      "pattern": "^[^\\u0000-\\u001f\\u007f ]([^\\u0000-\\u001f\\u007f]*[^\\u0000-\\u001f\\u007f ])?$",
      "type": "string"
     }
    }
   ],
   "post": {
    "description": "Needs a key with the write role (or higher).",
    "requestBody": {
     "content": {
      "application/json": {
       "schema": {
        "$ref": "#/components/schemas/OutcomeInput"
       }
      }
     },
     "required": true
    },
    "responses": {
     "200": {
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/OutcomeResponse"
        }
       }
      },
      "description": "Already recorded."
     },
     "201": {
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/OutcomeResponse"
        }
       }
      },
      "description": "Recorded."
     },
     "400": {
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      },
      "description": "The body or a query parameter breaks the schema (unknown member, a member named twice, wrong type, missing member, malformed JSON)."
     },
     "401": {
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      },
      "description": "No API key, or an unknown or revoked one."
     },
     "403": {
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      },
      "description": "The key's role does not allow this route."
     },
     "404": {
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      },
      "description": "No such record."
     },
     "413": {
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      },
      "description": "The body is larger than the service accepts."
     },
     "415": {
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      },
      "description": "The body is sent with a Content-Type other than application/json."
     },
     "422": {
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      },
      "description": "A value is out of range or refers to something that does not exist."
     },
     "429": {
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      },
      "description": "The key is over its rate limit; see Retry-After."
     },
     "503": {
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      },
      "description": "The store cannot answer."
     }
    },
    "security": [
     {
      "apiKey": []
     },
     {
      "bearer": []
     }
    ],
    "summary": "Record what happened to an item of a served list (it is also stored as an event)."
   }
  },
  "/health/live": {
   "get": {
    "responses": {
     "200": {
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Health"
        }
       }
      },
      "description": "Live."
     }
    },
    "summary": "The process is up."
   }
  },
  "/health/ready": {
   "get": {
    "responses": {
     "200": {
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Health"
        }
       }
      },
      "description": "Ready."
     },
     "503": {
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Health"
        }
       }
      },
      "description": "Not ready."
     }
    },
    "summary": "Ready when the store is open and the engine is built."
   }
  },
  "/metrics": {
   "get": {
    "responses": {
     "200": {
      "content": {
       "text/plain": {
        "schema": {
         "type": "string"
        }
       }
      },
      "description": "Prometheus text format."
     }
    },
    "summary": "Prometheus metrics."
   }
  }
 },
 "servers": [
  {
   "url": "http://127.0.0.1:8080"
  }
 ]
}
"""#
}
