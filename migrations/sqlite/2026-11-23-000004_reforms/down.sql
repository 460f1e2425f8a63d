DROP TABLE milestone_comments;
DROP TABLE milestones;
DROP TABLE gap_conventions;
DROP TABLE gaps;
