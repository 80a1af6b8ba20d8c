/**
 * @brief   Self-checking bench of axi_read_stream.sv, with an AXI4 memory model.
 * @author  e3ne
 * @description
 *  The memory holds the N words of STIM_FILE at byte address BASE (BASE_BEAT words in);
 *  they must leave on the output stream in order (EXP_FILE, the same words).  The model
 *  accepts an AR when arready is high (low ARSTALL % of the cycles), checks it (address
 *  the next one due, INCR, size of a word, at most BURST beats, no 4 KB crossing, at most
 *  OUTSTANDING bursts in flight) and serves its beats in order from LAT cycles after the
 *  AR was accepted, one a cycle at most, with rvalid low IGAP % of the cycles
 *  (stream_source) and rlast on each burst's last beat.  The output stream meets OSTALL %
 *  back-pressure (stream_sink).  RESP_AT >= 0 answers that word with SLVERR: err must
 *  then be high at the end, and low otherwise.  busy must fall after the last word.
 *  LOOP = 1: the DUT repeats the BEATS words from BASE for ever; STIM_FILE and EXP_FILE
 *  hold N = passes x BEATS words, the model expects each pass's first AR at BASE again,
 *  and after the N-th word only err is checked (the DUT stays busy, bursts past the N
 *  words stay unanswered).
 *  Prints FETCH <name> <cycles from start to the last output transfer>.  Written by
 *  tests/hw/test_axi_read_stream.py.
 */
module axi_read_stream_tb #(
	parameter int DATA_W      = 64,
	parameter int BURST       = 16,
	parameter int OUTSTANDING = 4,
	parameter int N           = 100,   // words read (>= 1)
	parameter int LOOP        = 0,     // 1: the DUT loops over BEATS words
	parameter int BEATS       = N,     // words a pass (LOOP = 1)
	parameter int BASE_BEAT   = 0,     // base address in words
	parameter int LAT         = 10,    // cycles from AR accepted to its first beat, >= 1
	parameter int ARSTALL     = 30,    // % of cycles arready is low
	parameter int RESP_AT     = -1,    // word answered with SLVERR (-1: none)
	parameter     STIM_FILE   = "stim.hex",
	parameter     EXP_FILE    = "exp.hex",
	parameter int IGAP        = 30,
	parameter int OSTALL      = 30,
	parameter int SEED        = 1,
	parameter int STANDALONE  = 1,
	parameter     NAME        = "axi_read_stream_tb"
);
	localparam int ADDR_W = 32;
	localparam int BYTES = DATA_W / 8;
	localparam int QD = 64;  // bursts the model can hold

	logic  clk, rst, ovld, ordy, Done, Ok;
	logic [DATA_W-1:0]  odat, sdat;
	logic  svld, srdy;
	int  Cycle, Sent, Recv;
	int  Errors = 0;

	logic  start, busy, err;
	logic  arvalid, arready, rvalid, rready, rlast;
	logic [ADDR_W-1:0]  araddr;
	logic [7:0]  arlen;
	logic [2:0]  arsize;
	logic [1:0]  arburst, rresp;

	axi_read_stream #(.DATA_W(DATA_W), .ADDR_W(ADDR_W), .BURST(BURST),
		.OUTSTANDING(OUTSTANDING), .LEN_W(20), .LOOP(LOOP)) dut (
		.clk, .rst,
		.start, .base(ADDR_W'(BASE_BEAT * BYTES)), .beats(20'(BEATS)), .busy, .err,
		.m_axi_arvalid(arvalid), .m_axi_arready(arready), .m_axi_araddr(araddr),
		.m_axi_arlen(arlen), .m_axi_arsize(arsize), .m_axi_arburst(arburst),
		.m_axi_rvalid(rvalid), .m_axi_rready(rready), .m_axi_rdata(sdat),
		.m_axi_rresp(rresp), .m_axi_rlast(rlast),
		.ordy, .ovld, .odat
	);

	// --- the memory model: bursts accepted, in order, each due LAT cycles after
	int  QLen [0:QD-1];
	int  QDue [0:QD-1];
	int  QHead = 0, QTail = 0;      // bursts accepted: QTail - QHead in flight
	int  Beat = 0;                  // beats of the head burst served
	int  NextAddr = BASE_BEAT * BYTES;
	int  Started = -1;              // cycle start was taken
	logic  Stall;

	logic  due = 0, rlast_c = 0;
	int  HDue, HLen;  // the head burst's
	// (the arrays change only with QTail: an explicit list, since Icarus 11 cannot wait
	// on array elements)
	always @(QHead or QTail or Cycle or Beat) begin
		HDue = QDue[QHead % QD];
		HLen = QLen[QHead % QD];
		due = (QTail != QHead) && (Cycle >= HDue);
		rlast_c = due && (Beat == HLen - 1);
	end
	assign	srdy = rready && due;
	assign	rvalid = svld && due;
	assign	rlast = rlast_c;
	assign	rresp = (RESP_AT >= 0 && Sent == RESP_AT) ? 2'b10 : 2'b00;
	assign	arready = !Stall;
	assign	start = !rst && Started < 0;

	stream_bench #(.IW(DATA_W), .OW(DATA_W), .N_IN(N), .N_OUT(N), .STIM_FILE(STIM_FILE),
		.EXP_FILE(EXP_FILE), .GAP(IGAP), .STALL(OSTALL), .SEED(SEED),
		.LIMIT(200 * N + 50 * LAT + 1000), .STANDALONE(STANDALONE), .NAME(NAME)) tb (
		.clk, .rst, .cycle(Cycle), .irdy(srdy), .ivld(svld), .idat(sdat),
		.ordy, .ovld, .odat, .avail(Sent),
		.errors(Errors), .sent(Sent), .recv(Recv), .done(Done), .ok(Ok)
	);

	initial $display("%s: DATA_W=%0d BURST=%0d OUTSTANDING=%0d N=%0d BASE_BEAT=%0d LAT=%0d",
		NAME, DATA_W, BURST, OUTSTANDING, N, BASE_BEAT, LAT);

	always @(posedge clk) begin
		Stall <= ($urandom % 100) < ARSTALL;
		if (rst) Stall <= 0;
		if (!rst) begin
			if (start)  Started <= Cycle;
			if (arvalid && arready) begin
				if (araddr != ADDR_W'(NextAddr) || arburst != 2'b01 || 32'(arsize) != $clog2(BYTES)
					|| 32'(arlen) >= BURST || (araddr % 4096) + (arlen + 1) * BYTES > 4096
					|| QTail - QHead >= OUTSTANDING) begin
					Errors <= Errors + 1;
					$display("FAIL %s: cycle %0d: AR address %0d len %0d size %0d burst %0d with %0d in flight (expected address %0d)",
						NAME, Cycle, araddr, arlen, arsize, arburst, QTail - QHead, NextAddr);
				end
				QLen[QTail % QD] <= 32'(arlen) + 1;
				QDue[QTail % QD] <= Cycle + LAT;
				QTail <= QTail + 1;
				NextAddr <= (LOOP != 0 && NextAddr + (32'(arlen) + 1) * BYTES == (BASE_BEAT + BEATS) * BYTES)
					? BASE_BEAT * BYTES : NextAddr + (32'(arlen) + 1) * BYTES;
			end
			if (rvalid && rready) begin
				if (Beat == QLen[QHead % QD] - 1) begin
					Beat <= 0;
					QHead <= QHead + 1;
				end
				else  Beat <= Beat + 1;
			end
			if (Recv == N && Done == 0 && tb.LastOut >= 0 && Cycle == tb.LastOut + 2) begin
				if (err !== (RESP_AT >= 0) || (LOOP == 0 && (busy || QTail != QHead
					|| NextAddr != (BASE_BEAT + N) * BYTES))) begin
					Errors <= Errors + 1;
					$display("FAIL %s: cycle %0d: after the last word busy=%b err=%b, %0d bursts in flight, next address %0d",
						NAME, Cycle, busy, err, QTail - QHead, NextAddr);
				end
				else  $display("FETCH %s %0d", NAME, tb.LastOut - Started);
			end
		end
	end

endmodule : axi_read_stream_tb
