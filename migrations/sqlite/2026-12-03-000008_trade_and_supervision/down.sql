DROP TABLE gap_comments;
DROP TABLE supervisory_comment_conventions;
DROP TABLE supervisory_comments;
DROP TABLE trade_arrangement_instruments;
DROP TABLE trade_arrangement_events;
DROP TABLE trade_arrangements;
