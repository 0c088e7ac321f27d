DROP INDEX "posts_created_id_idx";--> statement-breakpoint
DROP INDEX "posts_author_created_id_idx";--> statement-breakpoint
CREATE INDEX "posts_created_id_idx" ON "posts" USING btree ("created_at","id");--> statement-breakpoint
CREATE INDEX "posts_author_created_id_idx" ON "posts" USING btree ("author_id","created_at","id");